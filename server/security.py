"""Response headers and request guards that apply to every route."""
from __future__ import annotations

from flask import Flask, abort, request

from server.blueprint import require_json_body

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def init_app(app: Flask) -> None:
    hsts = app.config["SESSION_COOKIE_SECURE"]

    @app.before_request
    def refuse_cross_site_writes():
        """Defence in depth beside CSRF tokens: browsers label cross-site requests."""
        if request.method in UNSAFE_METHODS and request.headers.get("Sec-Fetch-Site") == "cross-site":
            abort(403, description="Cross-site requests are not accepted.")

    @app.before_request
    def api_bodies_are_json():
        if request.path.startswith("/api/"):
            require_json_body()

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith("/api/") and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"
        return response
