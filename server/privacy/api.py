"""Erasing a person and deleting a school: the API (principals erase staff, district admins delete schools)."""
from __future__ import annotations

from flask_login import current_user
from flask_smorest import abort

from schemas.exports import ErasedUserSchema, SchoolDeletedSchema, SchoolDeletionSchema
from server.access import MAX_ROW_ID, Action, forget_roles, permits, require_school
from server.auth.models import Membership, User
from server.blueprint import ApiBlueprint
from server.db import db
from server.privacy import service

blp = ApiBlueprint("privacy_api", __name__, url_prefix="/api/v1",
                   description="Offboarding: erase a person's identity, delete a school and all its data")


def member_of(school_id: int, user_id: int) -> User:
    """Someone with a role in this school; anyone else is a 404."""
    if not 0 < user_id <= MAX_ROW_ID:  # SQLite cannot even look it up
        abort(404)
    membership = db.session.scalar(select_membership(school_id, user_id))
    user = db.session.get(User, user_id) if membership is not None else None
    if user is None:
        abort(404)
    return user


def select_membership(school_id: int, user_id: int):
    return db.select(Membership).where(Membership.school_id == school_id, Membership.user_id == user_id).limit(1)


@blp.route("/schools/<int:school_id>/members/<int:user_id>/erase", methods=["POST"])
@blp.response(200, ErasedUserSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def erase_member(school_id, user_id):
    """Erase a staff member's identity: their observations stay for the aggregates, observed by no one."""
    require_school(Action.MANAGE_SCHOOL, school_id)
    user = member_of(school_id, user_id)
    try:
        counts = service.erase_user(current_user, user)
    except service.RefusedErasure as error:
        abort(409, message=str(error))
    db.session.commit()
    return {"user_id": user_id, "counts": counts}


@blp.route("/schools/<int:school_id>/delete", methods=["POST"])
@blp.access(permits(Action.DELETE_SCHOOL))
@blp.arguments(SchoolDeletionSchema)
@blp.response(200, SchoolDeletedSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def delete_school(fields, school_id):
    """Delete the school and every record of it (district admins); export it first, this cannot be undone."""
    school = require_school(Action.DELETE_SCHOOL, school_id)
    if fields["confirm_name"] != school.name:
        abort(422, message="Type the school's name exactly to confirm the deletion.")
    deletion = service.delete_school(current_user, school)
    db.session.commit()
    forget_roles()
    return {"school_id": deletion.school_id, "rows": deletion.rows, "staff_deleted": deletion.staff_deleted}
