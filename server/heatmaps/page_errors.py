"""A dashboard page whose filters cannot be used answers inside the dashboard: what to fix, in words,
the filter form with what the user chose, and a way back. JSON clients keep problem+json, CSV links
and pages out of the user's reach keep the plain error page (it says nothing about the school).
"""
from __future__ import annotations

from datetime import date

from flask import request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from schemas.base import Day
from schemas.heatmaps import CONVERSATION_KINDS, SETTINGS
from server.errors import wants_json
from server.heatmaps import service

SHOWN_IN_PAGE = (400, 403, 404, 422)
TITLES = {"dashboard": "Conversation dashboard", "frequency": "Where and when conversations happen",
          "quality": "Which traits are heard", "trends": "How things moved, week by week",
          "results": "Did it lead to action?"}
LABELS = {"date_from": "The start date (From)", "date_to": "The end date (To)", "setting": "The setting",
          "conversation_kind": "The kind of conversation", "team": "The team or grade", "observer_id": "The observer",
          "rubric_id": "The rubric", "planned": "Planned or not", "school_id": "The schools", "rows": "The rows", "columns": "The columns",
          "measure": "What to show", "by": "The columns"}
FORM_FIELDS = ("date_from", "date_to", "setting", "conversation_kind", "team", "observer_id", "rubric_id", "planned")
VIEW_FIELDS = ("rows", "columns", "measure", "by")
WHOLE_NUMBERS = ("observer_id", "rubric_id")


def raw_filters() -> dict:
    """The query string as typed (last value of each known field, ids as numbers where they are),
    so the form shows the user's own choices back."""
    raw: dict = {}
    for name in (*FORM_FIELDS, *VIEW_FIELDS):
        values = [v for v in request.args.getlist(name) if v.strip()]
        if values:
            value = values[-1].strip()
            raw[name] = int(value) if name in WHOLE_NUMBERS and value.isdigit() and len(value) < 10 else value
    schools = [v.strip() for v in request.args.getlist("school_id") if v.strip()]
    raw["school_ids"] = [int(v) for v in schools if v.isdigit() and len(v) < 10]
    return raw


def read_date(text) -> date | None:
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def sentence(field: str, message: str, raw: dict) -> str:
    """One of marshmallow's messages about a filter, as something a principal can act on."""
    label = LABELS.get(field)
    value = str(raw.get(field, request.args.get(field, "")))
    value = value if len(value) <= 40 else value[:40] + "…"
    if field == "_schema" or label is None:
        return (f"“{field}” is not a filter this page knows: take it out of the address." if message == "Unknown field."
                else message)
    if message == Day.INVALID:
        return f"{label} “{value}” is not a date: pick one in the calendar, or write it as 2026-10-01."
    if message.startswith("Must be one of"):
        return f"{label} “{value}” is not one of the choices: pick one from the list."
    if message == "Not a valid integer." or (field in WHOLE_NUMBERS and message.startswith("Must be greater")):
        return f"{label} “{value}” is not one this page knows: pick one from the list."
    return f"{label}: {message}"


def problems_of(error: HTTPException, raw: dict) -> tuple[list[str], set[str]]:
    """The sentences to show, and the form fields to mark as wrong."""
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    problems, invalid = [], set()
    for field, field_messages in messages.items():
        items = field_messages if isinstance(field_messages, list) else [field_messages]
        for message in items:
            problems.append(sentence(field, str(message), raw))
        invalid.add(field)
    start, end = read_date(raw.get("date_from")), read_date(raw.get("date_to"))
    if start and end and start > end:
        invalid |= {"date_from", "date_to"}
        if not messages:
            problems.append(f"The end date ({end:%-d %b %Y}) is before the start date ({start:%-d %b %Y}): "
                            "pick an end date on or after the start date.")
    if not problems:
        problems.append(error.description or "These filters cannot be used.")
    return problems, invalid


def form_args(raw: dict, invalid: set[str]) -> dict:
    """What goes back into the form: the user's values, minus hidden view switches that were wrong."""
    args = {name: value for name, value in raw.items() if not (name in VIEW_FIELDS and name in invalid)}
    if args.get("setting") not in SETTINGS:
        args.pop("setting", None)
    if args.get("conversation_kind") not in CONVERSATION_KINDS:
        args.pop("conversation_kind", None)
    return args


def dashboard_problem(error: HTTPException) -> tuple[str, dict] | None:
    """The template and context of the error as a dashboard page, or None where the plain error page
    (or problem+json) is right."""
    view_name = (request.endpoint or "").partition(".")[2]
    if (wants_json() or error.code not in SHOWN_IN_PAGE or not current_user.is_authenticated
            or view_name.endswith("_csv") or not request.view_args):
        return None
    raw = raw_filters()
    problems, invalid = problems_of(error, raw)
    args = form_args(raw, invalid)
    try:
        if "district_id" in request.view_args:
            view = service.open_district(current_user, request.view_args["district_id"], {})
            return "heatmaps/district.html", dict(
                view=view, args=args, current="district", problems=problems, invalid=invalid, rubrics=view.rubrics(),
                all_schools=view.all_schools, back=url_for("heatmaps.district", district_id=view.district.id))
        view = service.open_school(current_user, request.view_args["school_id"], {})
    except HTTPException:
        return None  # out of reach: nothing about the school or district is shown
    return "heatmaps/problem.html", dict(
        view=view, args=args, current=view_name, problems=problems, invalid=invalid,
        title=TITLES.get(view_name, TITLES["dashboard"]), choices=service.filter_choices(view, current_user),
        back=url_for(request.endpoint, school_id=view.school.id))
