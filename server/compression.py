"""Gzip for text responses, except those carrying the CSRF token (no BREACH-style secret recovery)."""
from flask import Flask, current_app, g

from server.extensions import compress


def init_app(app: Flask) -> None:
    app.config["COMPRESS_REGISTER"] = False  # registered below, behind the CSRF check
    compress.init_app(app)

    @app.after_request
    def compress_unless_secret(response):
        if current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g:
            return response  # this response embeds the CSRF token: sent uncompressed
        return compress.after_request(response)
