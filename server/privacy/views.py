"""Deleting a school from its audit page: a plain form, confirmed by typing the school's name."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from server.access import Action, forget_roles, require_school
from server.db import db
from server.privacy import service

bp = Blueprint("privacy", __name__)


@bp.post("/schools/<int:school_id>/delete")
@login_required
def delete_school(school_id: int):
    school = require_school(Action.DELETE_SCHOOL, school_id)
    if request.form.get("confirm_name", "").strip() != school.name:
        flash("Nothing was deleted: type the school's name exactly to confirm.", "error")
        return redirect(url_for("audit.school_audit", school_id=school_id, _anchor="delete-school"))
    name = school.name
    service.delete_school(current_user, school)
    db.session.commit()
    forget_roles()
    flash(f"{name} and all its records were deleted.", "success")
    return redirect(url_for("schools.index"))
