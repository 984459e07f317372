"""The meeting brief as a page and as a PDF, for a school and for a district. Choices the brief cannot
use come back as the page's form with what to change (422, or 403 for a version out of reach), never
a 500; every brief made is recorded in the audit log."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Blueprint, Response, current_app, make_response, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from schemas.base import Day
from schemas.brief import BriefArgsSchema
from server.brief import output
from server.brief import district as district_service
from server.brief.periods import record_brief
from server.brief import service as brief_service
from server.brief.service import Brief
from server.db import db
from server.heatmaps import service as heatmaps_service
from server.heatmaps import views as dashboard

bp = Blueprint("brief", __name__)
bp.context_processor(dashboard.helpers)

FIELDS = ("start", "end", "version", "paper")
LABELS = {"start": "The start date (From)", "end": "The end date (To)", "version": "The version",
          "paper": "The paper size", "rubric_id": "The rubric"}
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
LEADERSHIP_ONLY = ("The leadership version is for principals and district admins; you can open the staff version, "
                   "which shows the same school-wide patterns.")


@bp.context_processor
def brief_helpers() -> dict:
    return {"long_period": long_period, "short_period": short_period, "generated": generated}


def long_period(start: date, end: date) -> str:
    return f"{start:%A %-d %B %Y} to {end:%A %-d %B %Y}" if start != end else f"{start:%A %-d %B %Y}"


def short_period(start: date, end: date) -> str:
    if start.year != end.year:
        return f"{start:%-d %b %Y} – {end:%-d %b %Y}"
    return f"{start:%-d %b} – {end:%-d %b %Y}" if start != end else f"{start:%-d %b %Y}"


def generated(brief: Brief) -> str:
    return f"{brief.generated_at:%-d %b %Y, %H:%M} UTC"


def sentence(field: str, message: str) -> str:
    label = LABELS.get(field)
    value = request.args.get(field, "")
    value = value if len(value) <= 40 else value[:40] + "…"
    if label is None:
        return f"“{field}” is not something the brief knows: take it out of the address."
    if message == Day.INVALID:
        return f"{label} “{value}” is not a date: pick one in the calendar, or write it as 2026-10-01."
    if message.startswith("Must be one of"):
        return f"{label} “{value}” is not one of the choices: pick one from the list."
    if message.startswith("Must be a day from"):
        return f"{label} “{value}”: {message[0].lower()}{message[1:]}"
    return f"{label} {message}" if message[0].islower() else f"{label}: {message}"


def read_args() -> tuple[dict | None, list[str], set[str]]:
    """The choices through the schema (empty fields mean "the default"), or what is wrong with them."""
    raw = {key: values[-1] for key in request.args
           if (values := [v for v in request.args.getlist(key) if v.strip()])}
    try:
        return BriefArgsSchema().load(raw), [], set()
    except ValidationError as error:
        problems, invalid = [], set()
        for field, messages in error.messages.items():
            for message in messages if isinstance(messages, list) else [messages]:
                problems.append(sentence(field, str(message)))
            invalid.add(field)
        return None, problems, invalid


def page(status: int = 200, **context) -> Response:
    form = {name: request.args.get(name, "") for name in FIELDS}
    brief = context.get("brief")
    if brief is not None:
        form.update(start=brief.period.start.isoformat(), end=brief.period.end.isoformat(), version=brief.version)
    context.setdefault("problems", [])
    context.setdefault("invalid", set())
    return dashboard.page("brief/page.html", status, form=form, **context)


def stylesheet(paper: str) -> str:
    css = (Path(current_app.static_folder) / "brief.css").read_text(encoding="utf-8")
    return css + f"\n@page {{ size: {PAPER_SIZES[paper]} portrait; }}\n"


def pdf_response(brief: Brief, paper: str, filename: str) -> Response:
    html = render_template("brief/print.html", brief=brief, printing=True)  # no hover titles: a third of the layout time
    response = make_response(output.pdf_bytes(html, stylesheet(paper)))
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def school_page(school_id: int, fmt: str):
    view = heatmaps_service.open_school(current_user, school_id, {})  # another school: 404 before anything is read
    may_lead = heatmaps_service.sees_observers(current_user, school_id)
    urls = dict(page_url=url_for("brief.school_brief", school_id=school_id),
                pdf_url=url_for("brief.school_brief_pdf", school_id=school_id))
    common = dict(school=view.school, district=view.school.district, place=view.school.name, may_lead=may_lead, **urls)
    args, problems, invalid = read_args()
    if args is None:
        return page(422, problems=problems, invalid=invalid, **common)
    if args.get("version") == "leadership" and not may_lead:
        return page(403, problems=[LEADERSHIP_ONLY], invalid={"version"}, **common)
    brief = brief_service.school_brief(current_user, school_id, args)
    record_brief(current_user.id, brief.period, brief.version, fmt, args["paper"] if fmt == "pdf" else None,
                 school_id=school_id)
    db.session.commit()
    if fmt == "pdf":
        return pdf_response(brief, args["paper"], f"brief-{brief.period.start}-{brief.period.end}-school-{school_id}.pdf")
    return page(brief=brief, **common)


def district_page(district_id: int, fmt: str):
    view = heatmaps_service.open_district(current_user, district_id, {})  # district admins only: 404 / 403
    urls = dict(page_url=url_for("brief.district_brief", district_id=district_id),
                pdf_url=url_for("brief.district_brief_pdf", district_id=district_id))
    common = dict(school=None, district=view.district, place=view.district.name, may_lead=True, **urls)
    args, problems, invalid = read_args()
    if args is None:
        return page(422, problems=problems, invalid=invalid, **common)
    brief = district_service.district_brief(current_user, district_id, args)
    record_brief(current_user.id, brief.period, brief.version, fmt, args["paper"] if fmt == "pdf" else None,
                 district_id=district_id)
    db.session.commit()
    if fmt == "pdf":
        return pdf_response(brief, args["paper"], f"brief-{brief.period.start}-{brief.period.end}-district-{district_id}.pdf")
    return page(brief=brief, **common)


@bp.route("/schools/<int:school_id>/brief")
@login_required
def school_brief(school_id: int):
    """The school's meeting brief as a page: the period, what changed, where it is quiet, what to discuss."""
    return school_page(school_id, "html")


@bp.route("/schools/<int:school_id>/brief.pdf")
@login_required
def school_brief_pdf(school_id: int):
    """The same brief as a PDF on A4 or US Letter."""
    return school_page(school_id, "pdf")


@bp.route("/district/<int:district_id>/brief")
@login_required
def district_brief(district_id: int):
    """The district's schools side by side over the period, for district admins."""
    return district_page(district_id, "html")


@bp.route("/district/<int:district_id>/brief.pdf")
@login_required
def district_brief_pdf(district_id: int):
    return district_page(district_id, "pdf")
