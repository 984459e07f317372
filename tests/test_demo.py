"""The demo district: what it promises to hold, its statistical story, determinism and idempotency.

Loading takes a second or two, so the read-only tests share one load per engine (the `demo`
fixture reloads only when another test changed the data); the tests that reload come last. The
shared load is made as of the evening of Friday 2026-12-18, so its semester is the fall of 2026.
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import String, func, select, type_coerce

from server.auth.models import Membership, User
from server.db import db as database
from server.demo import DEMO_PASSWORD, DemoSummary, demo_login_hint, load_demo
from server.enums import ConversationKind, FollowUpStatus, LocationKind, ParticipantRole, Role, Setting
from server.extensions import limiter
from server.followups.models import FollowUp
from server.observations.models import Observation, ObservationTraitLevel
from server.rubrics.models import Rubric, Trait
from server.schools.models import District, Location, Period, School
from server.walks.models import Walk
from tests.conftest import ApiClient, clean_database

SEED = 2026
LOADED_AT = datetime(2026, 12, 19, 3, 0, tzinfo=timezone.utc)  # Friday evening in both schools' zones
FIRST_DAY, LAST_DAY = date(2026, 8, 17), date(2026, 12, 18)
THANKSGIVING_WEEK = {date(2026, 11, 23) + timedelta(days=d) for d in range(5)}
FORMAL_PLACES = {LocationKind.MEETING_ROOM, LocationKind.LIBRARY, LocationKind.OFFICE, LocationKind.CLASSROOM}
_loaded: dict[str, tuple[tuple, DemoSummary]] = {}  # engine → (fingerprint, summary) of the shared load


def fingerprint() -> tuple:
    levels = database.session.execute(
        select(func.count(), func.sum(ObservationTraitLevel.level)).select_from(ObservationTraitLevel)).one()
    return tuple(levels) + (database.session.scalar(select(func.count()).select_from(District)),)


@pytest.fixture()
def demo(app):
    """The seed-2026 demo in an otherwise empty database, loaded once per engine while unchanged."""
    engine = app.config["ENGINE_NAME"]
    with app.app_context():
        if engine not in _loaded or _loaded[engine][0] != fingerprint():
            clean_database(database)
            summary = load_demo(seed=SEED, now=LOADED_AT)
            _loaded[engine] = (fingerprint(), summary)
        database.session.commit()
        yield _loaded[engine][1]
        database.session.remove()


def schools_by_name() -> dict[str, School]:
    return {school.name: school for school in database.session.scalars(select(School))}


def checksum() -> str:
    """A digest of every observation's id, walk, time and kind, and of every trait level."""
    observations = database.session.execute(select(
        type_coerce(Observation.id, String), type_coerce(Observation.walk_id, String), Observation.observed_at,
        Observation.conversation_kind)).all()
    levels = database.session.execute(select(
        type_coerce(ObservationTraitLevel.observation_id, String), ObservationTraitLevel.trait_id,
        ObservationTraitLevel.level)).all()
    digest = hashlib.sha256()
    for row in sorted(map(str, observations)) + sorted(map(str, levels)):
        digest.update(row.encode())
    return digest.hexdigest()


def trait_share(rows, trait: str, keep) -> float:
    """Share of the observations passing `keep` where `trait` was heard (level 1 or 2)."""
    chosen = [levels for observation, levels in rows if keep(observation)]
    return sum(levels[trait] > 0 for levels in chosen) / len(chosen)


def observations_with_levels(school: School):
    levels: dict = defaultdict(dict)
    query = (select(ObservationTraitLevel.observation_id, Trait.key, ObservationTraitLevel.level)
             .join(Trait, Trait.id == ObservationTraitLevel.trait_id)
             .join(Observation, Observation.id == ObservationTraitLevel.observation_id)
             .where(Observation.school_id == school.id))
    for observation_id, key, level in database.session.execute(query):
        levels[observation_id][key] = level
    observations = database.session.scalars(select(Observation).where(Observation.school_id == school.id)).all()
    return [(observation, levels[observation.id]) for observation in observations]


def test_demo_district_has_two_schools_in_different_time_zones(demo):
    district = database.session.scalar(select(District))
    assert district.name == "Maple Valley School District"
    schools = schools_by_name()
    assert {name: school.timezone for name, school in schools.items()} == {
        "Lincoln Middle School": "America/Chicago", "Riverside High School": "America/Denver"}
    assert all(school.district_id == district.id for school in schools.values())


def test_demo_schools_keep_their_own_schedules_and_are_not_asked_to_check_them(demo):
    assert {school.name: school.schedule_confirmed for school in schools_by_name().values()} == {
        "Lincoln Middle School": True, "Riverside High School": True}


@pytest.mark.parametrize("school_name", ["Lincoln Middle School", "Riverside High School"])
def test_each_school_has_a_bell_schedule_and_places_of_many_kinds(demo, school_name):
    school = schools_by_name()[school_name]
    periods = database.session.scalars(select(Period).where(Period.school_id == school.id)
                                       .order_by(Period.starts_at)).all()
    names = [period.name for period in periods]
    assert names[0] == "Before school" and names[-1] == "After school"
    assert "Period 1" in names and sum(name.startswith("Lunch") for name in names) >= 2
    assert all(a.ends_at == b.starts_at for a, b in zip(periods, periods[1:]))
    locations = database.session.scalars(select(Location).where(Location.school_id == school.id)).all()
    assert 10 <= len(locations) <= 14
    assert len({location.kind for location in locations}) >= 7


def test_every_role_has_a_demo_account(demo):
    roles = {(email, role) for email, role, _ in demo.logins}
    assert ("district@maplevalley.demo", "district_admin") in roles
    for school in ("lincoln", "riverside"):
        assert {("principal@%s.demo" % school, "principal"), ("ap@%s.demo" % school, "observer"),
                ("coach@%s.demo" % school, "observer")} <= roles
        assert sum(email.endswith(f"@{school}.demo") and role == "viewer" for email, role in roles) == 2
    stored = database.session.execute(select(User.email, Membership.role).join(Membership)).all()
    assert {(email, role.value) for email, role in stored} == roles
    assert {Role(role) for _, role in roles} == set(Role)


@pytest.mark.parametrize("school_name", ["Lincoln Middle School", "Riverside High School"])
def test_each_school_has_a_semester_of_school_day_observations(demo, school_name):
    school = schools_by_name()[school_name]
    days = database.session.scalars(select(Observation.local_date).where(Observation.school_id == school.id)).all()
    assert len(days) >= 1500
    assert min(days) >= FIRST_DAY and max(days) <= LAST_DAY
    assert not {day for day in days if day.weekday() >= 5 or day in THANKSGIVING_WEEK}
    assert len({day.isocalendar().week for day in days}) == 17


def test_every_observation_has_a_level_for_each_of_the_seven_traits(demo):
    rubric = database.session.scalar(select(Rubric).where(Rubric.is_default.is_(True), Rubric.district_id.is_(None)))
    counts = database.session.execute(
        select(ObservationTraitLevel.observation_id, func.count(), func.min(ObservationTraitLevel.level),
               func.max(ObservationTraitLevel.level)).group_by(ObservationTraitLevel.observation_id)).all()
    observations = database.session.scalar(select(func.count()).select_from(Observation))
    assert len(counts) == observations
    assert {(count, low >= 0, high <= 2) for _, count, low, high in counts} == {(7, True, True)}
    assert set(database.session.scalars(select(Observation.rubric_id).distinct())) == {rubric.id}


@pytest.mark.parametrize("school_name", ["Lincoln Middle School", "Riverside High School"])
def test_local_date_and_offset_follow_the_school_time_zone(demo, school_name):
    school = schools_by_name()[school_name]
    zone = ZoneInfo(school.timezone)
    rows = database.session.execute(select(Observation.observed_at, Observation.local_date,
                                           Observation.utc_offset_minutes)
                                    .where(Observation.school_id == school.id)).all()
    for observed_at, local_date, offset in rows:
        local = observed_at.astimezone(zone)
        assert (local.date(), offset) == (local_date, local.utcoffset() // timedelta(minutes=1))
    assert len({offset for _, _, offset in rows}) == 2  # daylight saving time ends on November 1


def test_walks_are_short_school_day_walks_holding_their_observations(demo):
    zones = {school.id: ZoneInfo(school.timezone) for school in schools_by_name().values()}
    for walk in database.session.scalars(select(Walk)):
        assert timedelta(minutes=10) <= walk.ended_at - walk.started_at <= timedelta(minutes=40)
        local_start, local_end = walk.started_at.astimezone(zones[walk.school_id]), walk.ended_at.astimezone(
            zones[walk.school_id])
        assert time(6, 50) <= local_start.time() and local_end.time() <= time(16, 30)
    rows = database.session.execute(select(Observation, Walk).join(Walk, Walk.id == Observation.walk_id)).all()
    # Every log but a colleague's second log of a co-listened conversation (server/demo/colisten.py) is on a walk.
    assert len(rows) == database.session.scalar(select(func.count()).select_from(Observation)
                                                .where(Observation.counted.is_(True)))
    for observation, walk in rows:
        assert walk.started_at <= observation.observed_at <= walk.ended_at
        assert (observation.school_id, observation.observer_id) == (walk.school_id, walk.observer_id)
        assert observation.created_at == observation.updated_at == observation.observed_at
    per_walk = Counter(observation.walk_id for observation, _ in rows)
    assert max(per_walk.values()) <= 8


def test_conversations_fit_their_setting_and_place(demo):
    teams = {"Grade 6", "Grade 7", "Grade 8", "Math", "ELA", "Science", "Special education"}
    rows = database.session.execute(select(Observation, Location.kind).join(Location)).all()
    for observation, place_kind in rows:
        assert observation.setting == observation.conversation_kind.setting
        assert (observation.setting == Setting.FORMAL) == (place_kind in FORMAL_PLACES)
        assert 2 <= observation.participant_count <= 8
        assert 0 < len(observation.participant_roles) <= observation.participant_count
        assert set(observation.participant_roles) <= {role.value for role in ParticipantRole}
        assert (observation.version, observation.content_hash, observation.deleted_at) == (1, "", None)
    assert {observation.conversation_kind for observation, _ in rows} == set(ConversationKind)
    assert teams <= {observation.team for observation, _ in rows}
    notes = [observation.note for observation, _ in rows if observation.note]
    assert 0.10 < len(notes) / len(rows) < 0.20 and max(map(len, notes)) <= 280


@pytest.mark.parametrize("school_name", ["Lincoln Middle School", "Riverside High School"])
def test_evidence_is_heard_more_than_twice_as_often_in_formal_settings(demo, school_name):
    rows = observations_with_levels(schools_by_name()[school_name])
    formal = trait_share(rows, "evidence", lambda o: o.setting == Setting.FORMAL)
    informal = trait_share(rows, "evidence", lambda o: o.setting == Setting.INFORMAL)
    assert formal > 2 * informal
    assert trait_share(rows, "people", lambda o: o.setting == Setting.INFORMAL) > 0.4


def test_lincoln_acts_more_after_its_training_day_and_riverside_stays_flat(demo):
    first_month = lambda o: o.local_date < date(2026, 9, 17)  # noqa: E731
    last_month = lambda o: o.local_date >= date(2026, 11, 18)  # noqa: E731
    lincoln = observations_with_levels(schools_by_name()["Lincoln Middle School"])
    riverside = observations_with_levels(schools_by_name()["Riverside High School"])
    assert trait_share(lincoln, "action", last_month) > trait_share(lincoln, "action", first_month) + 0.1
    assert abs(trait_share(riverside, "action", last_month) - trait_share(riverside, "action", first_month)) < 0.1


def test_follow_ups_close_the_loop_on_flagged_observations(demo):
    rows = database.session.execute(
        select(FollowUp, Observation, School).join(Observation, Observation.id == FollowUp.observation_id)
        .join(School, School.id == FollowUp.school_id)).all()
    flagged = database.session.scalar(select(func.count()).where(Observation.needs_follow_up.is_(True)))
    assert 10 <= len(rows) == flagged
    members = set(database.session.execute(select(Membership.user_id, Membership.school_id)))
    as_of = datetime.combine(LAST_DAY, time(0, 0), tzinfo=ZoneInfo("America/Chicago"))
    for follow_up, observation, school in rows:
        assert observation.needs_follow_up and follow_up.school_id == observation.school_id
        assert follow_up.created_by_id == observation.observer_id and (follow_up.owner_id, school.id) in members
        assert follow_up.due_at.astimezone(ZoneInfo(school.timezone)).time() == time(15, 30)
        assert (follow_up.status == FollowUpStatus.DONE) == (follow_up.changed_practice is not None)
    statuses = Counter((f.status, f.changed_practice, f.due_at < as_of) for f, _, _ in rows)
    assert statuses[(FollowUpStatus.DONE, True, True)] and statuses[(FollowUpStatus.DONE, False, True)]
    assert statuses[(FollowUpStatus.OPEN, None, True)]  # open and overdue
    assert all(f.outcome_note for f, _, _ in rows if f.status == FollowUpStatus.DONE)


def test_each_school_has_the_practice_scenarios_written_by_its_principal(demo):
    from server.demo.scenarios import SCENARIOS
    from server.practice.models import PracticeScenario

    for school in schools_by_name().values():
        scenarios = database.session.scalars(select(PracticeScenario).where(PracticeScenario.school_id == school.id)).all()
        principal_ids = set(database.session.scalars(select(Membership.user_id).where(
            Membership.school_id == school.id, Membership.role == Role.PRINCIPAL)))
        assert sorted(s.title for s in scenarios) == sorted(s.title for s in SCENARIOS)
        assert {s.author_id for s in scenarios} <= principal_ids and None not in {s.author_id for s in scenarios}


def test_some_conversations_were_co_listened_by_two_observers_and_count_once(demo):
    from server.colisten.models import ColistenSession

    sessions = database.session.scalars(select(ColistenSession)).all()
    assert len(sessions) >= 20
    apart = 0
    for session in sessions:
        logs = database.session.scalars(select(Observation).where(Observation.colisten_id == session.id)).all()
        assert len(logs) == 2 and len({log.observer_id for log in logs}) == 2
        assert [log.observer_id for log in logs if log.counted] == [session.lead_observer_id]
        assert all(session.started_at <= log.observed_at <= session.expires_at for log in logs)
        levels = [{level.trait_id: level.level for level in log.trait_levels} for log in logs]
        apart += levels[0] != levels[1]
    assert 0 < apart < len(sessions)  # mostly heard alike, not always


def test_every_demo_account_can_sign_in(app, demo):
    app.test_client_class = ApiClient
    limiter.reset()
    for email, _, _ in demo.logins:
        response = app.test_client().post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 200, (email, response.get_data(as_text=True))


def test_serve_hints_at_the_demo_sign_in(demo):
    assert demo_login_hint() == f"Demo sign-in: principal@lincoln.demo / {DEMO_PASSWORD}"


NO_SCHOOL = {date(2026, 9, 7), date(2026, 10, 12)} | THANKSGIVING_WEEK


@pytest.mark.parametrize("school_name", ["Lincoln Middle School", "Riverside High School"])
def test_each_school_plans_its_learning_conversations_on_school_days_only(demo, school_name):
    from server.plans.models import PlannedConversation
    from server.plans.service import occurrences_between

    school = database.session.scalar(select(School).where(School.name == school_name))
    plans = database.session.scalars(select(PlannedConversation).where(PlannedConversation.school_id == school.id)).all()
    days = [o.day for plan in plans for o in occurrences_between(plan, FIRST_DAY, LAST_DAY)]

    assert {plan.kind for plan in plans} >= {ConversationKind.PLC, ConversationKind.DATA_TEAM,
                                             ConversationKind.LEARNING_WALK_DEBRIEF}
    assert all(plan.location_id and plan.owner_id and plan.strategy for plan in plans)
    assert days and not set(days) & NO_SCHOOL and all(day.weekday() < 5 for day in days)


def test_lincolns_data_team_meets_every_other_monday_and_makes_up_the_pd_day(demo):
    from server.plans.models import PlannedConversation
    from server.plans.service import occurrences_between

    plan = database.session.scalar(select(PlannedConversation).join(School).where(
        School.name == "Lincoln Middle School", PlannedConversation.name == "Data team"))

    starts = [o.local_start.isoformat() for o in occurrences_between(plan, FIRST_DAY, LAST_DAY)]

    assert starts == ["2026-08-17T15:20:00-05:00", "2026-08-31T15:20:00-05:00", "2026-09-14T15:20:00-05:00",
                      "2026-09-28T15:20:00-05:00", "2026-10-13T15:20:00-05:00", "2026-10-26T15:20:00-05:00",
                      "2026-11-09T15:20:00-06:00", "2026-12-07T15:20:00-06:00"]


def test_the_same_seed_loads_the_same_semester_into_a_clean_database(demo):
    first = checksum()
    clean_database(database)
    load_demo(seed=SEED, now=LOADED_AT)
    assert checksum() == first


def test_demo_command_keeps_loaded_data_and_reset_replaces_it(demo, runner):
    first, total = checksum(), fingerprint()
    database.session.commit()
    kept = runner.invoke(args=["demo"])
    assert kept.exit_code == 0, kept.output
    assert "already loaded" in kept.output and "principal@lincoln.demo" in kept.output
    assert fingerprint() == total
    database.session.commit()
    replaced = runner.invoke(args=["demo", "--reset", "--seed", "7"])
    assert replaced.exit_code == 0, replaced.output
    assert "already loaded" not in replaced.output and "coach@riverside.demo" in replaced.output
    assert checksum() != first
    assert database.session.scalar(select(func.count()).select_from(District)) == 1
    assert database.session.scalar(select(func.count()).select_from(User)) == len(demo.logins)
    per_school = database.session.scalars(select(func.count(Observation.id)).group_by(Observation.school_id)).all()
    assert len(per_school) == 2 and min(per_school) >= 1500


def latest_moments() -> dict[str, datetime]:
    """The latest moment of every kind the demo writes, across its walks, observations and follow-ups."""
    found = {}
    for model, columns in ((Walk, ("started_at", "ended_at", "created_at", "updated_at")),
                           (Observation, ("observed_at", "created_at", "updated_at")),
                           (FollowUp, ("completed_at", "created_at", "updated_at"))):
        for name in columns:
            found[f"{model.__tablename__}.{name}"] = database.session.scalar(select(func.max(getattr(model, name))))
    return found


def last_school_day(school: School) -> date:
    return database.session.scalar(select(func.max(Observation.local_date)).where(Observation.school_id == school.id))


def test_the_demo_loaded_now_holds_nothing_in_the_future(demo):
    clean_database(database)
    load_demo(seed=SEED)
    now = datetime.now(timezone.utc)
    latest = latest_moments()
    assert all(moment is not None and moment <= now for moment in latest.values()), latest
    early = database.session.scalars(select(FollowUp.status).where(FollowUp.due_at > now)).all()
    assert set(early) <= {FollowUpStatus.OPEN, FollowUpStatus.DONE}  # open, or done before it was due
    for school in schools_by_name().values():
        today = now.astimezone(ZoneInfo(school.timezone)).date()
        assert today - timedelta(days=3) <= last_school_day(school) <= today  # over a weekend: the Friday


@pytest.mark.parametrize("loaded_at, last_day", [
    (datetime(2026, 12, 4, 23, 0, tzinfo=timezone.utc), date(2026, 12, 4)),  # the Friday, 5 pm / 4 pm
    (datetime(2027, 3, 10, 16, 0, tzinfo=timezone.utc), date(2027, 3, 10)),  # a Wednesday, mid-morning
    (datetime(2027, 5, 2, 18, 0, tzinfo=timezone.utc), date(2027, 4, 30)),  # a Sunday: the Friday before
], ids=["issue-friday", "wednesday-morning", "sunday"])
def test_the_semester_ends_the_day_it_is_loaded(demo, loaded_at, last_day):
    clean_database(database)
    summary = load_demo(seed=SEED, now=loaded_at)
    latest = latest_moments()
    assert all(moment <= loaded_at for moment in latest.values()), latest
    assert summary.last_day == last_day
    for school in schools_by_name().values():
        assert last_school_day(school) == last_day
        days = database.session.scalars(select(Observation.local_date).where(Observation.school_id == school.id)
                                         .distinct()).all()
        assert (last_day - min(days)).days > 110 and all(day.weekday() < 5 for day in days)
