"""Accounts, roles and sign-in."""
from flask import Flask, redirect, request, url_for
from werkzeug.exceptions import Unauthorized

from server.errors import http_error_response, wants_json


def init_app(app: Flask) -> None:
    from server.auth import service
    from server.extensions import login_manager

    login_manager.session_protection = "basic"  # phones roam between Wi-Fi and cellular

    @login_manager.user_loader
    def load_user(session_token: str):
        return service.user_for_session(session_token)

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            return http_error_response(Unauthorized("Sign in to continue."))
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
