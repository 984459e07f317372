"""The audit page of a school: who did what, when (in the school's zone), to which object, from where.

It also carries the school's records tools: the whole-school export, and (district admins) deletion.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, make_response, render_template, request
from flask_login import login_required
from marshmallow import ValidationError

from schemas.audit import AuditQueryArgsSchema
from server.access import Action, can, require_school
from server.audit.queries import actions_of, audit_page
from server.audit.wording import describe, label

bp = Blueprint("audit", __name__)


def when(moment, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M:%S}"


@bp.get("/schools/<int:school_id>/audit")
@login_required
def school_audit(school_id: int):
    school = require_school(Action.VIEW_AUDIT, school_id)
    try:
        args = AuditQueryArgsSchema().load({key: value for key, value in request.args.items() if value != ""})
    except ValidationError:
        args, status = AuditQueryArgsSchema().load({}), 422
    else:
        status = 200
    page = audit_page(school, args.get("action"), args["page"], args["per_page"])
    zone = ZoneInfo(school.timezone)
    actions = sorted(((code, label(code)) for code in actions_of(school)), key=lambda pair: pair[1])
    response = make_response(render_template(
        "audit/school.html", school=school, page=page, action=args.get("action") or "", actions=actions,
        sentences=describe(page["items"]), label=label,
        when=lambda moment: when(moment, zone), can_export=can(Action.EXPORT, school.id),
        can_delete=can(Action.DELETE_SCHOOL, school.id), bad_filter=status == 422,
        last_page=max(1, -(-page["total"] // page["per_page"])),
    ), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
