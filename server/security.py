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
# Directives every policy keeps, including the narrower ones a view sets for itself (sw.js).
BASELINE_DIRECTIVES = {"object-src": "'none'", "base-uri": "'none'", "frame-ancestors": "'none'", "worker-src": "'self'"}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def init_app(app: Flask) -> None:
    hsts = app.config["SESSION_COOKIE_SECURE"]
    session_cookie = app.config["SESSION_COOKIE_NAME"]

    def refuse_cross_site_writes():
        """Defence in depth beside CSRF tokens: browsers label cross-site requests."""
        if request.method in UNSAFE_METHODS and request.headers.get("Sec-Fetch-Site") == "cross-site":
            abort(403, description="Cross-site requests are not accepted.")

    # First of all request hooks, so a cross-site write is a 403 whatever it carries (even no CSRF token).
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_cross_site_writes)

    @app.before_request
    def api_bodies_are_json():
        if request.path.startswith("/api/"):
            require_json_body()

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = with_baseline(headers.get("Content-Security-Policy") or CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Nothing personal kept in browser or proxy caches: API answers, and pages for anyone with a
        # session (looked up by cookie, not through `session`, which would add Vary: Cookie everywhere).
        personal = request.path.startswith("/api/") or session_cookie in request.cookies
        if personal and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"
        return response


def with_baseline(policy: str) -> str:
    """`policy` with any baseline directive it lacks appended (a view may narrow, never drop, them)."""
    present = {part.split()[0].lower() for part in policy.split(";") if part.strip()}
    missing = [f"{name} {source}" for name, source in BASELINE_DIRECTIVES.items() if name not in present]
    return "; ".join([policy.rstrip("; "), *missing])
