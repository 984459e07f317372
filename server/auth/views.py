"""Sign-in and account pages: plain HTML forms that work without JavaScript."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user
from marshmallow import ValidationError

from schemas.auth import InvitationAcceptSchema, LoginSchema, PasswordChangeSchema
from server.audit import service as audit
from server.auth import landing, service
from server.auth.api import (
    LOGIN_FAILED, login_rate_limited, record_failed_login, record_login, rotate_session, sign_in, sign_out,
)
from server.auth.passwords import MIN_LENGTH
from server.db import db
from server.enums import Role
from server.extensions import limiter
from server.schools.models import School

bp = Blueprint("auth", __name__)

ROLE_NAMES = {Role.PRINCIPAL: "Principal", Role.OBSERVER: "Observer", Role.VIEWER: "Viewer"}
PASSWORD_RULES = f"At least {MIN_LENGTH} characters. Not a common password, and not your name or email address."


def safe_next(target: str | None) -> str:
    """A same-site relative path to go to after sign-in; anything else (another host, a scheme) is ""
    (then the user's own start page)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return ""
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return ""
    return target


@bp.app_context_processor
def header_navigation() -> dict:
    """The signed-in header's links on every server page, worked out only when a page asks."""
    return {"header_links": lambda: landing.header_links(current_user),
            "home_url": lambda: landing.home_url(current_user)}


def form_fields(*names: str) -> dict[str, str]:
    return {name: request.form.get(name, "") for name in names}


def page(template: str, status: int = 200, **context):
    """Render a page that holds personal or secret details: never cached, no referrer sent on."""
    response = make_response(render_template(template, password_rules=PASSWORD_RULES, **context), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/login", methods=["GET", "POST"])
@login_rate_limited
def login():
    """Email and password; the same plain refusal whether the account exists or not. Without a page to
    go back to, each role starts where its work is (landing.home_url)."""
    next_path = safe_next(request.values.get("next"))
    if request.method == "GET":
        return page("auth/login.html", next_path=next_path, email="")
    email = request.form.get("email", "")
    try:
        credentials = LoginSchema().load(form_fields("email", "password"))
    except ValidationError:
        credentials = None
    user = service.authenticate(credentials["email"], credentials["password"]) if credentials else None
    if user is None:
        record_failed_login(email)
        return page("auth/login.html", 401, next_path=next_path, email=email.strip()[:254], error=LOGIN_FAILED)
    sign_in(user)
    record_login(user)
    db.session.commit()
    return redirect(next_path or landing.home_url(user))


@bp.get("/start")
@login_required
def start():
    """The user's own start page (the app links here: it knows the role, not the district)."""
    return redirect(landing.home_url(current_user))


@bp.route("/logout", methods=["POST"])
def logout():
    """Only a POST signs out, so a link or an image on another page cannot."""
    sign_out()
    flash("You are signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def change_password():
    """Change the password; every other signed-in device is signed out, this one stays."""
    if request.method == "GET":
        return page("auth/password.html")
    fields = form_fields("current_password", "new_password", "confirm_password")
    try:
        change = PasswordChangeSchema().load({k: fields[k] for k in ("current_password", "new_password")})
    except ValidationError:
        return page("auth/password.html", 422, errors={"form": "Fill in all three passwords."})
    if change["new_password"] != fields["confirm_password"]:
        return page("auth/password.html", 422, errors={"confirm_password": "The two new passwords are not the same."})
    try:
        service.change_password(
            current_user, change["current_password"], change["new_password"], request.user_agent.string
        )
    except service.PasswordRejected as rejected:
        return page("auth/password.html", 422, errors={"new_password": rejected.problems})
    except service.AuthError as error:
        return page("auth/password.html", 422, errors={"current_password": str(error)})
    user = current_user._get_current_object()
    rotate_session(user)  # under the new session token change_password opened for this browser
    audit.record("auth.password_changed", actor_id=user.id, object_type="user", object_id=user.id)
    db.session.commit()
    flash("Your password is changed. Other devices were signed out.", "success")
    return redirect(url_for("auth.change_password"))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    """For a lost phone: end every session of this account, this browser's too."""
    user = current_user._get_current_object()
    ended = service.end_all_sessions(user)
    audit.record(
        "auth.sessions_revoked", actor_id=user.id, object_type="user", object_id=user.id, details={"sessions": ended}
    )
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out on every device.", "success")
    return redirect(url_for("auth.login"))


def open_invitation_or_abort(token: str):
    try:
        return service.open_invitation(token)
    except service.InvitationNotFound as error:
        abort(404, description=str(error))
    except service.InvitationGone as error:
        abort(410, description=str(error))


def new_account_from_form() -> tuple[dict, dict]:
    """The name and password a new member typed, and what is wrong with them, in plain words."""
    fields = form_fields("name", "password", "confirm_password")
    try:
        account = InvitationAcceptSchema().load({"name": fields["name"], "password": fields["password"]})
    except ValidationError as error:
        return {}, {field: " ".join(map(str, messages)) for field, messages in error.messages.items()}
    if not account["name"]:
        return account, {"name": "Enter your name as colleagues know it."}
    if account["password"] != fields["confirm_password"]:
        return account, {"confirm_password": "The two passwords are not the same."}
    return account, {}


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Join a school from an invitation link: a new account sets a password; an existing one signs in first."""
    invitation = open_invitation_or_abort(token)
    school = db.session.get(School, invitation.school_id)
    existing = service.find_user(invitation.email)
    signed_in_as_invitee = existing is not None and current_user.is_authenticated and current_user.id == existing.id
    context = {
        "invitation": invitation,
        "school": school,
        "role_name": ROLE_NAMES.get(invitation.role, invitation.role),
        "existing": existing,
        "signed_in_as_invitee": signed_in_as_invitee,
        "login_url": url_for("auth.login", next=url_for("auth.accept_invitation", token=token)),
        "name": invitation.name,
    }
    if request.method == "GET":
        return page("auth/invitation.html", **context)
    if existing is not None and not signed_in_as_invitee:
        return page("auth/invitation.html", 403, **context)
    account, problems = new_account_from_form() if existing is None else ({"name": "", "password": ""}, {})
    context["name"] = account.get("name", context["name"])
    if problems:
        return page("auth/invitation.html", 422, **context, errors=problems)
    try:
        signed_in = existing if signed_in_as_invitee else None
        user = service.accept_invitation(token, account["name"], account["password"], signed_in=signed_in)
    except service.PasswordRejected as rejected:
        return page("auth/invitation.html", 422, **context, errors={"password": rejected.problems})
    except service.InvitationGone as error:
        db.session.rollback()
        abort(410, description=str(error))
    except service.AuthError as error:
        db.session.rollback()
        return page("auth/invitation.html", 422, **context, errors={"form": str(error)})
    sign_in(user)
    audit.record(
        "auth.invitation_accepted", actor_id=user.id, school_id=school.id, district_id=school.district_id,
        object_type="invitation", object_id=invitation.id, details={"role": str(invitation.role)},
    )
    db.session.commit()
    return redirect(landing.after_joining(school.id, invitation.role))
