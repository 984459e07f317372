"""T1: another school's data is never visible or writable, for every route × every role.

Foreign objects live in a school of another district; their names carry a canary that must never
appear in any response. A foreign id must answer exactly like an id that does not exist.
"""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from server.auth.models import Invitation, Membership
from server.db import db as database
from server.enums import ConversationKind, LocationKind, PlanFrequency, Role
from server.followups.models import FollowUp
from server.observations.models import Observation, ObservationTraitLevel
from server.colisten.models import ColistenSession
from server.practice.models import PracticeAnswer, PracticeAnswerLevel, PracticeReference, PracticeScenario
from server.plans.models import PlanFeed, PlannedConversation, PlanSchedule
from server.schools.models import Location, School
from server.walks.models import Walk
from tests import factories
from tests.access.matrix import ISOLATION, LISTS, PUBLIC, Target

CANARY = "QX7CANARY"
ROLES = ["district_admin", "principal", "observer", "viewer", "anonymous"]
MISSING = {"school": 987654, "location": 987654, "membership": 987654, "invitation": 987654,
           "district": 987654, "observation": str(uuid.UUID(int=987654)), "rubric": 1,
           "follow_up": str(uuid.UUID(int=987654)), "scenario": 987654, "plan": 987654,
           "colisten": str(uuid.UUID(int=987654)), "window_start": "2026-10-01", "window_end": "2026-11-30"}
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def build_foreign_school() -> dict:
    """A school in another district, with one of each object, all named with the canary."""
    district = factories.create_district(f"{CANARY} District")
    school = factories.create_school(name=f"{CANARY} High", district=district)
    place = Location(school_id=school.id, name=f"{CANARY} Lounge", kind=LocationKind.LOUNGE)
    database.session.add(place)
    owner = factories.create_user("observer", school, email=f"{CANARY.lower()}@far.example", name=f"{CANARY} Person")
    membership = database.session.scalar(select(Membership).where(Membership.user_id == owner.id))
    invitation = Invitation(token_hash=uuid.uuid4().hex, school_id=school.id, email=f"{CANARY.lower()}2@far.example",
                            name=f"{CANARY} Invitee", role=Role.VIEWER,
                            expires_at=datetime.now(timezone.utc) + timedelta(days=3))
    database.session.add(invitation)
    rubric = factories.default_rubric()
    walk = Walk(id=uuid.uuid4(), school_id=school.id, observer_id=owner.id,
                started_at=datetime(2026, 11, 2, 14, tzinfo=timezone.utc), ended_at=datetime(2026, 11, 2, 15, tzinfo=timezone.utc))
    database.session.add(walk)
    colisten = ColistenSession(id=uuid.uuid4(), school_id=school.id, code="K7QW3P", lead_observer_id=owner.id,
                               started_at=datetime(2026, 11, 2, 14, tzinfo=timezone.utc),
                               expires_at=datetime(2026, 11, 2, 16, tzinfo=timezone.utc))
    database.session.add(colisten)
    database.session.flush()
    observation = Observation(colisten_code="K7QW3P", colisten_id=colisten.id,
        id=uuid.uuid4(), school_id=school.id, observer_id=owner.id, walk_id=walk.id, rubric_id=rubric.id,
        location_id=place.id, observed_at=datetime(2026, 11, 2, 14, 30, tzinfo=timezone.utc),
        local_date=datetime(2026, 11, 2).date(), team=f"{CANARY} Team", note=f"{CANARY} note",
        trait_levels=[ObservationTraitLevel(trait_id=t.id, level=2) for t in rubric.traits],
    )
    database.session.add(observation)
    database.session.flush()
    follow_up = FollowUp(id=uuid.uuid4(), school_id=school.id, observation_id=observation.id, owner_id=owner.id,
                         created_by_id=owner.id, action=f"{CANARY} follow-up", due_at=datetime(2026, 11, 3, 15, tzinfo=timezone.utc))
    database.session.add(follow_up)
    scenario = PracticeScenario(
        school_id=school.id, rubric_id=rubric.id, author_id=owner.id, title=f"{CANARY} scenario", setting="formal",
        lines=[{"speaker": "Coach", "text": f"{CANARY} line {n}"} for n in range(4)],
        references=[PracticeReference(trait_id=t.id, level=1, why=f"{CANARY} why") for t in rubric.traits])
    database.session.add(scenario)
    database.session.flush()
    database.session.add(PracticeAnswer(
        id=uuid.uuid4(), school_id=school.id, scenario_id=scenario.id, user_id=owner.id,
        answered_at=datetime(2026, 11, 2, 16, tzinfo=timezone.utc),
        levels=[PracticeAnswerLevel(trait_id=t.id, level=2) for t in rubric.traits]))
    plan = PlannedConversation(school_id=school.id, name=f"{CANARY} PLC", purpose=f"{CANARY} purpose",
                               kind=ConversationKind.PLC, location_id=place.id, participants=f"{CANARY} team",
                               strategy=f"{CANARY} strategy", owner_id=owner.id, schedules=[PlanSchedule(
                                   version=1, frequency=PlanFrequency.WEEKLY, weekdays=[1], starts_at=time(15),
                                   ends_at=time(16), first_day=date(2026, 10, 20), last_day=date(2026, 11, 17))])
    database.session.add(plan)
    database.session.add(PlanFeed(school_id=school.id, token_hash="0" * 64, created_at=datetime.now(timezone.utc)))
    database.session.commit()
    return {"school": school.id, "district": district.id, "location": place.id, "membership": membership.id,
            "invitation": invitation.id, "observation": str(observation.id), "rubric": rubric.id,
            "follow_up": str(follow_up.id), "scenario": scenario.id, "plan": plan.id,
            "colisten": str(colisten.id), "window_start": "2026-10-01", "window_end": "2026-11-30"}


def foreign_footprint() -> tuple:
    """Everything a write could change in the foreign school, to prove nothing did."""
    school = database.session.scalar(select(School).where(School.name.like(f"{CANARY}%")))
    return (
        school.name, school.timezone,
        tuple(database.session.execute(select(Location.name, Location.archived).where(Location.school_id == school.id).order_by(Location.id))),
        tuple(database.session.execute(select(Membership.id, Membership.role).where(Membership.school_id == school.id).order_by(Membership.id))),
        database.session.scalar(select(func.count()).select_from(Invitation).where(Invitation.school_id == school.id)),
        tuple(database.session.execute(select(Observation.id, Observation.version, Observation.note).where(Observation.school_id == school.id))),
        database.session.scalar(select(func.count()).select_from(School).where(School.district_id == school.district_id)),
        len(school.periods),
        tuple(database.session.execute(select(PracticeScenario.id, PracticeScenario.title, PracticeScenario.deleted_at)
                                       .where(PracticeScenario.school_id == school.id))),
        tuple(database.session.execute(select(PracticeReference.trait_id, PracticeReference.level)
                                       .join(PracticeScenario).where(PracticeScenario.school_id == school.id))),
        database.session.scalar(select(func.count()).select_from(PracticeAnswer).where(PracticeAnswer.school_id == school.id)),
        tuple(database.session.execute(select(PlannedConversation.id, PlannedConversation.name, PlannedConversation.updated_at)
                                       .where(PlannedConversation.school_id == school.id))),
        tuple(database.session.execute(select(PlanSchedule.id, PlanSchedule.cancelled_dates, PlanSchedule.valid_until)
                                       .join(PlannedConversation).where(PlannedConversation.school_id == school.id))),
        tuple(database.session.execute(select(PlanFeed.token_hash).where(PlanFeed.school_id == school.id))),
    )


@pytest.fixture()
def world(app, db, school, login_as):
    """The caller's home school plus a foreign one, and a signed-in client per role."""
    foreign = build_foreign_school()
    clients = {role: login_as(role)[0] for role in ROLES if role != "anonymous"}
    app.test_client_class = type(clients["principal"])
    clients["anonymous"] = app.test_client()
    return foreign, clients


def checked_rules(app):
    return sorted((r for r in app.url_map.iter_rules()), key=lambda r: (r.rule, r.endpoint))


def test_every_route_has_an_isolation_case(app):
    missing = sorted({rule.endpoint for rule in app.url_map.iter_rules()} - set(ISOLATION))
    assert not missing, f"add an isolation case to tests/access/matrix.py for: {missing}"


def test_matrix_names_no_route_that_is_gone(app):
    assert not set(ISOLATION) - {rule.endpoint for rule in app.url_map.iter_rules()}


def build_request(rule, method: str, case: Target, ids: dict) -> dict:
    path_values = {name: ids[kind] for name, kind in case.path.items()}
    # A parameter the matrix does not name (none today) would be filled with a missing id.
    for argument in rule.arguments:
        path_values.setdefault(argument, 987654)
    url = rule.rule
    for name, value in path_values.items():
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), url)
    query = {name: ids[kind] for name, kind in case.query.items()}
    request = {"path": url, "method": method, "query_string": query}
    if method in case.json:
        body = case.json[method]
        request["json"] = body(ids) if callable(body) else body
    elif method in case.form:
        body = case.form[method]
        request["data"] = body(ids) if callable(body) else body
    elif method in {"POST", "PUT", "PATCH"} and rule.rule.startswith("/api/"):
        request["json"] = {}
    return request


CSRF_META = re.compile(r'(name="csrf-token" content=|name="csrf_token" value=)"[^"]*"')


def normalised(body: str) -> str:
    """The body with per-request CSRF tokens blanked, for comparing two answers."""
    return CSRF_META.sub(r"\1", body)


def target_cases(app):
    for rule in checked_rules(app):
        case = ISOLATION.get(rule.endpoint)
        if isinstance(case, Target):
            for method in sorted(rule.methods - SKIPPED_METHODS - case.list_methods):
                yield rule, method, case


def test_foreign_objects_are_indistinguishable_from_missing_ones(app, world):
    foreign, clients = world
    before = foreign_footprint()
    failures = []
    for rule, method, case in target_cases(app):
        for role in ROLES:
            client = clients[role]
            answer = client.open(**build_request(rule, method, case, foreign))
            body = answer.get_data(as_text=True)
            where = f"{role} {method} {rule.rule}"
            if CANARY.lower() in body.lower():
                failures.append(f"{where}: the foreign school's data is in the body")
            if role == "anonymous":
                if answer.status_code not in (302, 400, 401):
                    failures.append(f"{where}: anonymous got {answer.status_code}")
                continue
            if answer.status_code not in (403, 404) and not (rule.endpoint == "sync_api.sync" and answer.status_code == 403):
                failures.append(f"{where}: got {answer.status_code}, expected 403/404")
            if not (case.path or case.query):
                continue  # the foreign object is in the body: no path id to compare with a missing one
            missing = client.open(**build_request(rule, method, case, MISSING))
            if (missing.status_code, normalised(missing.get_data(as_text=True))) != (answer.status_code, normalised(body)):
                failures.append(f"{where}: foreign answered {answer.status_code}, a missing id {missing.status_code}")
    assert not failures, "\n".join(failures)
    assert foreign_footprint() == before, "a request changed the foreign school"


def test_lists_never_show_another_schools_data(app, world):
    foreign, clients = world
    failures = []
    for rule in checked_rules(app):
        case = ISOLATION.get(rule.endpoint)
        if case is not LISTS and not (isinstance(case, Target) and "GET" in case.list_methods):
            continue
        for role in ROLES:
            answer = clients[role].get(rule.rule)
            if CANARY.lower() in answer.get_data(as_text=True).lower():
                failures.append(f"{role} GET {rule.rule} shows the foreign school")
            if role != "anonymous" and answer.status_code != 200:
                failures.append(f"{role} GET {rule.rule} answered {answer.status_code}")
    assert not failures, "\n".join(failures)


def test_public_routes_carry_no_school_data(app, world):
    foreign, clients = world
    for rule in checked_rules(app):
        if ISOLATION.get(rule.endpoint) is not PUBLIC or rule.arguments or "GET" not in rule.methods:
            continue
        for role in ("principal", "anonymous"):
            answer = clients[role].get(rule.rule)
            assert CANARY.lower() not in answer.get_data(as_text=True).lower(), f"{role} GET {rule.rule}"


def test_sync_sync_with_a_foreign_observation_id_never_overwrites_it(app, world, school):
    """The sync endpoint names its school in the body: aim the caller's own school at a foreign record id."""
    foreign, clients = world
    before = foreign_footprint()
    home_place = database.session.scalar(select(Location.id).where(Location.school_id == school.id))
    body = {"school_id": school.id, "records": [{
        "type": "observation", "id": foreign["observation"], "version": 9, "rubric_id": foreign["rubric"],
        "location_id": home_place, "observed_at": "2026-11-02T15:00:00+00:00", "trait_levels": {"substantive": 2},
    }]}
    for role in ("district_admin", "principal", "observer"):
        answer = clients[role].post("/api/v1/sync", json=body)
        assert answer.status_code == 200
        (result,) = answer.get_json()["results"]
        assert result["status"] == "invalid" and CANARY.lower() not in answer.get_data(as_text=True).lower()
    assert foreign_footprint() == before
