"""JSON sign-in for the offline app: sign in again without losing the outbox, fresh CSRF tokens."""
from flask import abort, current_app, make_response, request, session
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from schemas.auth import CsrfTokenSchema, LoginSchema, MeSchema
from server.access import school_roles
from server.auth import service
from server.blueprint import ApiBlueprint
from server.db import db
from server.extensions import limiter
from server.ratelimit import login_account_key
from server.schools.models import School

blp = ApiBlueprint("auth_api", __name__, url_prefix="/api/v1/auth", description="Sign-in for scripts and the app")


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def sign_in(user) -> None:
    """Rotate the session (no fixation), open a server-side sign-in and set the cookie."""
    session.clear()
    service.start_session(user, request.user_agent.string)
    login_user(user)
    session.permanent = True


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
@limiter.limit(login_limit, key_func=login_account_key)
@blp.arguments(LoginSchema)
@blp.response(200, MeSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def login(credentials):
    """Sign in with email and password; sets the session cookie."""
    user = service.authenticate(credentials["email"], credentials["password"])
    if user is None:
        abort(401, description="That email and password do not match an active account.")
    sign_in(user)
    db.session.commit()
    return me_payload(user)


@blp.route("/logout", methods=["POST"], public=True)
@blp.response(204)
def logout():
    """End this browser's session on the server too, so the old cookie is worthless."""
    if current_user.is_authenticated:
        service.end_session(current_user.session_token)
        db.session.commit()
    logout_user()
    session.clear()


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
