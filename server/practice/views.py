"""Scenario authoring pages for principals and district admins: plain forms, no JavaScript needed.

Each form posts to its own route and calls the same service as the API; invalid input re-renders the
form with the problems (422) and stores nothing. Staff practise in the app (pwa/js/screens/practice.js).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import func, select

from schemas.practice import ScenarioCreateSchema, ScenarioPatchSchema
from server.access import Action, get_for, require_school
from server.db import db
from server.practice import service
from server.practice.models import PracticeAnswer, PracticeScenario
from server.practice.service import RefusedPractice
from server.rubrics.models import Rubric
from server.rubrics.service import rubrics_for
from server.schools.views import problems_from

bp = Blueprint("practice", __name__, template_folder="templates")
MAX_LINES = 10
LEVEL_WORDS = ("Not heard", "Heard", "Strong")


def page(template: str, status: int = 200, **context):
    response = make_response(render_template(template, level_words=LEVEL_WORDS, max_lines=MAX_LINES, **context), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def scenario_in(school_id: int, scenario_id: int) -> PracticeScenario:
    scenario = get_for(PracticeScenario, scenario_id, Action.MANAGE_SCHOOL)
    if scenario.school_id != school_id:
        abort(404)
    return scenario


def number(raw: str):
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else raw


def form_fields(form, rubric: Rubric) -> dict:
    """The posted form as the API's JSON body: filled lines only, a level and why per trait of the rubric."""
    lines = []
    for index in range(MAX_LINES):
        speaker, text = form.get(f"speaker_{index}", "").strip(), form.get(f"text_{index}", "").strip()
        if speaker or text:
            lines.append({"speaker": speaker, "text": text})
    reference = {trait.key: {"level": number(form.get(f"level_{trait.key}", "")), "why": form.get(f"why_{trait.key}", "")}
                 for trait in rubric.traits}
    return {"title": form.get("title", ""), "setting": form.get("setting", ""), "lines": lines, "reference": reference}


def scenario_form(school, rubric: Rubric, scenario=None, status: int = 200, values: dict | None = None,
                  problems: list[str] | None = None):
    if values is None:
        values = service.authoring_scenario(current_user, scenario.id) if scenario else {"lines": [], "reference": {}}
    return page("practice/form.html", status, school=school, rubric=rubric, scenario=scenario, values=values,
                problems=problems or [], rubrics=rubrics_for(school))


def chosen_rubric(school, raw) -> Rubric:
    wanted = number(raw) if raw else None
    usable = rubrics_for(school)
    for rubric in usable:
        if rubric.id == wanted:
            return rubric
    return next((r for r in usable if r.is_default), usable[0])


@bp.get("/schools/<int:school_id>/practice/scenarios")
@login_required
def index(school_id: int):
    """The school's practice scenarios, with how many have answered each (never who or how)."""
    school = require_school(Action.MANAGE_SCHOOL, school_id)
    scenarios = db.session.scalars(select(PracticeScenario).where(PracticeScenario.school_id == school.id)
                                   .order_by(PracticeScenario.deleted_at.is_not(None), PracticeScenario.title)).all()
    answered = dict(db.session.execute(select(PracticeAnswer.scenario_id, func.count())
                                       .where(PracticeAnswer.school_id == school.id)
                                       .group_by(PracticeAnswer.scenario_id)).all())
    rubric_names = {r.id: r.name for r in rubrics_for(school)}
    return page("practice/index.html", school=school, scenarios=scenarios, answered=answered, rubric_names=rubric_names)


@bp.route("/schools/<int:school_id>/practice/scenarios/new", methods=["GET", "POST"])
@login_required
def new(school_id: int):
    school = require_school(Action.MANAGE_SCHOOL, school_id)
    rubric = chosen_rubric(school, request.values.get("rubric_id"))
    if request.method == "GET":
        return scenario_form(school, rubric)
    fields = form_fields(request.form, rubric)
    try:
        loaded = ScenarioCreateSchema().load({**fields, "school_id": school.id, "rubric_id": rubric.id})
        scenario = service.create_scenario(current_user, loaded)
    except (ValidationError, RefusedPractice) as error:
        db.session.rollback()
        problems = problems_from(error.messages) if isinstance(error, ValidationError) else [str(error)]
        return scenario_form(school, rubric, None, 422, fields, problems)
    db.session.commit()
    flash(f"\u201c{scenario.title}\u201d is ready for practice.", "success")
    return redirect(url_for("practice.index", school_id=school.id))


@bp.route("/schools/<int:school_id>/practice/scenarios/<int:scenario_id>", methods=["GET", "POST"])
@login_required
def edit(school_id: int, scenario_id: int):
    school = require_school(Action.MANAGE_SCHOOL, school_id)
    scenario = scenario_in(school_id, scenario_id)
    rubric = db.session.get(Rubric, scenario.rubric_id)
    if request.method == "GET":
        return scenario_form(school, rubric, scenario)
    fields = form_fields(request.form, rubric)
    try:
        service.update_scenario(current_user, scenario.id, ScenarioPatchSchema().load(fields))
    except (ValidationError, RefusedPractice) as error:
        db.session.rollback()
        problems = problems_from(error.messages) if isinstance(error, ValidationError) else [str(error)]
        return scenario_form(school, rubric, scenario, 422, fields, problems)
    db.session.commit()
    flash(f"\u201c{scenario.title}\u201d is saved.", "success")
    return redirect(url_for("practice.index", school_id=school.id))


@bp.post("/schools/<int:school_id>/practice/scenarios/<int:scenario_id>/withdraw")
@login_required
def withdraw(school_id: int, scenario_id: int):
    """Out of practice; the answers stay in their people's history."""
    require_school(Action.MANAGE_SCHOOL, school_id)
    scenario = scenario_in(school_id, scenario_id)
    service.withdraw_scenario(current_user, scenario.id)
    db.session.commit()
    flash(f"\u201c{scenario.title}\u201d is withdrawn from practice; answers given to it stay in people's history.",
          "success")
    return redirect(url_for("practice.index", school_id=school_id))
