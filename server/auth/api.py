"""JSON sign-in for the offline app: sign in again without losing the outbox, fresh CSRF tokens."""
from flask import abort, current_app, g, make_response, request, session
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from schemas.auth import CsrfTokenSchema, LoginSchema, MeSchema
from server.access import school_roles
from server.audit import service as audit
from server.auth import service
from server.blueprint import ApiBlueprint
from server.db import db
from server.extensions import limiter
from server.ratelimit import login_account_key
from server.schools.models import School

LOGIN_FAILED = "That email and password do not match an active account."

blp = ApiBlueprint("auth_api", __name__, url_prefix="/api/v1/auth", description="Sign-in for scripts and the app")


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def login_address_limit() -> str:
    return current_app.config["LOGIN_IP_RATE_LIMIT"]


def login_rate_limited(view):
    """The sign-in limits shared by the API and the page: one bucket per account, a generous one per address."""
    view = limiter.shared_limit(login_limit, scope="login-account", key_func=login_account_key, methods=["POST"])(view)
    return limiter.shared_limit(login_address_limit, scope="login-address", methods=["POST"])(view)


def sign_in(user) -> None:
    """Rotate the session (no fixation), open a server-side sign-in and set the cookie."""
    if current_user.is_authenticated:  # signing in over an old sign-in: that one ends here
        service.end_session(current_user.session_token)
    service.start_session(user, request.user_agent.string)
    rotate_session(user)


def rotate_session(user) -> None:
    """A new cookie session for `user` (whose session_token is set), holding its CSRF secret from the start.

    The secret is made now, not on the next page: with a cookie session, requests the app sends at
    the same moment would otherwise each store a different secret and the last one would win.
    """
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    login_user(user)
    session.permanent = True
    generate_csrf()


def record_login(user) -> None:
    audit.record("auth.login", actor_id=user.id, object_type="user", object_id=user.id)


def record_failed_login(email: object) -> None:
    """Committed at once (the request rolls back); only the email's domain, never the password."""
    domain = email.rpartition("@")[2].strip().lower()[:100] if isinstance(email, str) and "@" in email else ""
    audit.record_now("auth.login_failed", details={"email_domain": domain})


def sign_out() -> None:
    """End this browser's session on the server too, so the old cookie is worthless."""
    if current_user.is_authenticated:
        service.end_session(current_user.session_token)
        audit.record("auth.logout", actor_id=current_user.id, object_type="user", object_id=current_user.id)
        db.session.commit()
    logout_user()
    session.clear()


def me_payload(user) -> dict:
    roles = school_roles(user)
    schools = db.session.scalars(db.select(School).where(School.id.in_(roles)).order_by(School.name)).all()
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "schools": [
            {"school_id": s.id, "school_name": s.name, "district_id": s.district_id, "timezone": s.timezone, "role": roles[s.id].value}
            for s in schools
        ],
    }


@blp.route("/login", methods=["POST"], public=True)
@login_rate_limited
@blp.arguments(LoginSchema)
@blp.response(200, MeSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def login(credentials):
    """Sign in with email and password; sets the session cookie."""
    user = service.authenticate(credentials["email"], credentials["password"])
    if user is None:
        record_failed_login(credentials["email"])
        abort(401, description=LOGIN_FAILED)
    sign_in(user)
    record_login(user)
    db.session.commit()
    return me_payload(user)


@blp.route("/logout", methods=["POST"], public=True)
@blp.response(204)
def logout():
    """End this browser's session on the server too, so the old cookie is worthless."""
    sign_out()


@blp.route("/me")
@blp.response(200, MeSchema)
def me():
    """The signed-in user and the schools they can reach, with their role in each."""
    return me_payload(current_user)


@blp.route("/csrf", public=True)
@blp.response(200, CsrfTokenSchema)
def csrf_token():
    """A fresh CSRF token for the next write (the cached app shell's token may be stale)."""
    response = make_response({"csrf_token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response
