"""Schemathesis against the app's own /api/v1/openapi.json, in-process, on SQLite and PostgreSQL.

Every operation is fuzzed with valid and invalid data and every built-in check: no 5xx, every
status, content type and body as documented (errors as problem+json), invalid input rejected.
Each operation gets its own freshly signed-in client (session cookie + X-CSRFToken on writes), so
signing out or a failed sign-in in one operation's cases cannot turn the next operation anonymous.
Path ids are drawn either by the fuzzer or from the seeded school, so cases reach real records.

Stateful scenarios then chain operations by the document's links (written in the API modules, or
inferred by schemathesis): one signed-in user per scenario creates a place, an invitation, a device
or a sync batch, and a later step reads, changes or removes it with the id or value it got back.
Every scenario starts from the same seeded database (Hypothesis's replays need it), so a run repeats.

The seed is fixed (derandomized); examples per operation and scenarios are bounded for CI. A larger run:
    HALLPULSE_FUZZ_EXAMPLES=500 HALLPULSE_FUZZ_SCENARIOS=500 python -m pytest tests/test_fuzz_api.py -q
"""
from __future__ import annotations

import itertools
import uuid
import re
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from flask import request_started
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import negative_data_rejection

from schemas.plans import PlanCreateSchema

from server.auth import service as auth_service
from server.auth.models import Invitation, Membership
from server.db import db as database
from server.enums import Role
from server.extensions import limiter
from server.plans import service as plan_service
from server.colisten.models import ColistenSession
from server.practice.models import PracticeScenario
from server.push.keys import ensure_key_pair
from server.rubrics.models import Rubric
from server.schools.models import Location
from tests import factories
from tests.conftest import forget_request_globals
from tests.followups.helpers import create_follow_up, create_observation
from tests.plans.helpers import plan_body
from tests.practice.helpers import create_scenario
from tests.push.receiver import BrowserKeys

DOC_URL = "/api/v1/openapi.json"
EXAMPLES = int(os.environ.get("HALLPULSE_FUZZ_EXAMPLES", "25"))
SCENARIOS = int(os.environ.get("HALLPULSE_FUZZ_SCENARIOS", "80"))
SCENARIO_STEPS = 20
# Left to the per-operation run: nothing follows from a sign-in with made-up credentials, from what
# only district admins may do, or from offboarding (the bootstrap link aims an erasure at oneself).
NOT_IN_SCENARIOS = [
    "POST /api/v1/auth/login", "POST /api/v1/schools", "POST /api/v1/schools/{school_id}/delete",
    "GET /api/v1/heatmaps/districts/{district_id}/frequency", "GET /api/v1/heatmaps/districts/{district_id}/quality",
    "GET /api/v1/calibration/districts/{district_id}",
    "POST /api/v1/schools/{school_id}/members/{user_id}/erase",
]
CAPTURE_TIMES = st.datetimes(datetime(2025, 1, 1), datetime(2026, 6, 30),
                             timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=-6))]))
KNOWN_IDS: dict[str, list] = {}  # parameter or field name → ids of real records, refreshed per test
PLAN_DAYS = ["2026-10-20", "2026-11-03", "2026-11-17", "2026-10-21"]  # the seeded plan's Tuesdays, and a Wednesday


def fuzz_config(**sections) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict({
        "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True,
                       "with-security-parameters": False},  # the signed-in client sends the real cookie,
        # Every check but `positive_data_acceptance`: rules JSON Schema cannot say (a known time
        # zone, an opaque cursor, at least one field in a PATCH) rightly turn schema-valid input into 422s.
        # A body over the size limit is refused with 413 before its schema is read (a calendar import's text
        # may be long): a rejection like 422.
        "checks": {"enabled": True, "positive_data_acceptance": {"enabled": False},
                   "negative_data_rejection": {"expected-statuses": [
                       "400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5XX"]}},
        **sections,
    })


def scenario_config() -> SchemathesisConfig:
    """Scenarios send valid requests only (the per-operation run sends the invalid ones), so a hook may
    put real ids, times and keys in their bodies. `use_after_free` takes any 2xx DELETE for a deletion,
    but removing a place with conversations archives it (200, documented), and a PATCH may restore it:
    `deleted_stays_deleted` holds what the document says instead."""
    return fuzz_config(
        phases={"stateful": {"generation": {"mode": "positive"}, "checks": {"use_after_free": {"enabled": False}}}},
        operations=[{"include-name": NOT_IN_SCENARIOS, "phases": {"stateful": {"enabled": False}}}],
    )


def seed_school(app, school, other_school) -> None:
    """Records for path ids to point at: this school's places, staff, invitation, follow-up, and another
    school; and the server's push key, as `hallpulse init` makes it (without it the key is a documented 503)."""
    ensure_key_pair(Path(app.config["INSTANCE_DIR"]))
    principal = factories.create_user("principal", school)
    observer = factories.create_user("observer", school)
    source = create_observation(school, observer)
    follow_up = create_follow_up(school, owner=observer, creator=principal, observation_id=source.id)  # later logs: a source
    auth_service.create_invitation(school, "new.teacher@example.org", Role.OBSERVER, invited_by=principal)
    create_scenario(school, principal)
    create_scenario(other_school)
    plan = plan_service.create_plan(principal, school, PlanCreateSchema().load(plan_body()))
    session = ColistenSession(id=uuid.uuid4(), school_id=school.id, code="K7QW3P", lead_observer_id=observer.id,
                              started_at=datetime.now(timezone.utc) - timedelta(hours=2),
                              expires_at=datetime.now(timezone.utc) - timedelta(hours=1))
    database.session.add(session)
    database.session.commit()
    KNOWN_IDS.clear()
    KNOWN_IDS.update({
        "school_id": [school.id, other_school.id],
        "district_id": [school.district_id, other_school.district_id],
        "location_id": list(database.session.scalars(database.select(Location.id))),
        "membership_id": list(database.session.scalars(database.select(Membership.id))),
        "invitation_id": list(database.session.scalars(database.select(Invitation.id))),
        "follow_up_id": [str(follow_up.id)],
        "plan_id": [plan.id],
        "rubric_id": list(database.session.scalars(database.select(Rubric.id).where(Rubric.district_id.is_(None)))),
        "scenario_id": list(database.session.scalars(database.select(PracticeScenario.id))),
        "session_id": [str(session.id)],
    })


@pytest.fixture(params=["principal", "observer"])
def role(request) -> str:
    return request.param


def fuzz_schema(app, config: SchemathesisConfig, session_cookie):
    """The app's document, called in-process; each case carries `session_cookie(case)`."""
    schema = schemathesis.openapi.from_wsgi(DOC_URL, app, config=config)

    @schema.auth()
    class SessionCookie:
        """The case's signed-in session, as schemathesis auth so `ignored_auth` can remove it."""

        def get(self, case, context):
            return session_cookie

        def set(self, case, cookie_of, context):
            case.cookies = {**(case.cookies or {}), **cookie_of(case)}

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        """Half the cases keep the fuzzer's ids, half point at a real record (ours or another school's)."""
        choices = {name: KNOWN_IDS[name] for name in path_parameters or {} if KNOWN_IDS.get(name)}
        if not choices:
            return st.just(path_parameters)
        real = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in choices.items()})
        return st.one_of(st.just(path_parameters), real.map(lambda known: {**path_parameters, **known}))

    return schema


@pytest.fixture()
def api_schema(app, db, school, other_school, role, signed_in_clients):
    seed_school(app, school, other_school)
    return fuzz_schema(app, fuzz_config(), lambda case: signed_in_clients(case.operation.label, role)[1])


@pytest.fixture()
def own_request_globals(app):
    """Each request starts with an empty `g`, as in production, even for the checks' own probes,
    which use a plain client (the `db` fixture keeps one app context pushed for the whole test)."""
    request_started.connect(clear_globals, app)
    yield
    request_started.disconnect(clear_globals, app)


def clear_globals(sender, **extra):
    forget_request_globals()


@pytest.fixture()
def signed_in_clients(app, login_as, own_request_globals):
    """A fresh sign-in per key (an operation, a scenario), made on first use: (client sending the CSRF
    token, session cookie).

    The cookie travels on each case rather than in the client's jar, so the `ignored_auth` check
    can take it away and see the 401.
    """
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    clients = {}

    def client_for(key: str, role: str):
        if (key, role) not in clients:
            limiter.reset()  # the sign-in limit is per address; the fuzzed sign-ins must not lock ours out
            client = login_as(role)[0]
            cookie = {cookie_name: client.get_cookie(cookie_name).value}
            client.delete_cookie(cookie_name)
            clients[key, role] = client, cookie
        return clients[key, role]

    return client_for


def invalid_record_is_refused(ctx, response, case) -> None:
    """A sync batch validates each record on its own (docs/sync-protocol.md): a batch whose envelope
    is valid is a 200 even when a record is not, and that record must come back `invalid`."""
    if response.status_code == 200:
        statuses = [result["status"] for result in response.json()["results"]]
        assert "invalid" in statuses, f"an invalid record was not refused: {statuses}"


def record_level_checks(operation, mode: GenerationMode) -> dict:
    """POST /sync answers a bad record inside a valid batch with 200 and a per-record `invalid`, by
    design; its negative cases check that instead of a 4xx for the whole batch. Nothing else differs."""
    if mode is GenerationMode.NEGATIVE and operation.label == "POST /api/v1/sync":
        return {"excluded_checks": [negative_data_rejection], "additional_checks": [invalid_record_is_refused]}
    return {}


def fuzz_operation(operation, mode: GenerationMode, client) -> str | None:
    """Run one operation's cases in one mode; the first failure, described, or None."""
    checks = record_level_checks(operation, mode)

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        # Gzip is the transport's business, and this in-process client does not undo it.
        case.call_and_validate(session=client, headers={"Accept-Encoding": "identity"}, **checks)

    try:
        run()
    except Unsatisfiable:
        return None  # nothing in this operation can be made invalid (no parameters, no body)
    except (Exception, BaseExceptionGroup) as failure:  # a check's failure group, or an app error
        return f"{mode.value} {operation.label}:\n{failure}"
    return None


def test_every_operation_passes_every_check(api_schema, signed_in_clients, role):
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = fuzz_operation(operation, mode, signed_in_clients(operation.label, role)[0])
            if failure:
                failures.append(failure)

    assert not failures, "\n\n".join(failures)


class Scenario:
    """The running scenario: its number, which names its sign-in."""

    number = 0

    @property
    def key(self) -> str:
        return f"scenario {self.number}"


@pytest.fixture()
def scenario() -> Scenario:
    return Scenario()


@pytest.fixture()
def loopback_push_allowed(app):
    """Devices may subscribe with a loopback endpoint (a testing-only setting): nothing is sent to it
    here, and a real push service's name would send the endpoint check to DNS."""
    before = app.config.get("PUSH_ALLOW_LOOPBACK")
    app.config["PUSH_ALLOW_LOOPBACK"] = True
    yield
    app.config["PUSH_ALLOW_LOOPBACK"] = before


@pytest.fixture()
def scenario_schema(app, db, school, other_school, role, scenario, signed_in_clients, loopback_push_allowed):
    """The schema for scenarios, with the running scenario's sign-in; half its push subscriptions and
    sync batches are a real device or records for real places, so they reach the database."""
    seed_school(app, school, other_school)
    schema = fuzz_schema(app, scenario_config(), lambda case: signed_in_clients(scenario.key, role)[1])

    @schema.hook
    def flatmap_body(context, body):
        realistic = REALISTIC_BODIES.get(context.operation.label)
        return st.one_of(st.just(body), realistic(body)) if realistic else st.just(body)

    return schema


def browser_subscription(_body) -> st.SearchStrategy[dict]:
    """PushSubscription.toJSON() of a browser: a P-256 key and a 16-byte secret, for a loopback push service."""
    return st.builds(subscription_for, st.integers(1, 2**128), st.binary(min_size=16, max_size=16))


def subscription_for(device: int, auth_secret: bytes) -> dict:
    keys = BrowserKeys(ec.derive_private_key(device, ec.SECP256R1()), auth_secret)
    return {"endpoint": f"http://127.0.0.1/push/{device}", "expirationTime": None,
            "keys": {"p256dh": keys.p256dh, "auth": keys.auth}}


def batch_for_real_places(body) -> st.SearchStrategy[dict]:
    """The batch for the user's school, with its places, built-in rubrics and past moments in the
    records, so they can be stored (the fuzzer's ids and times almost never are)."""
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        return st.just(body)
    records = st.tuples(*(anchored_record(record) for record in body["records"]))
    return records.map(lambda real: {**body, "school_id": KNOWN_IDS["school_id"][0], "records": list(real)})


def anchored_record(record) -> st.SearchStrategy:
    """Real values for the ids and times a record has; no field is added or dropped, as its fields
    decide which documented record type it matches."""
    if not isinstance(record, dict):
        return st.just(record)
    moments = CAPTURE_TIMES.map(datetime.isoformat)
    plan_days = st.sampled_from(PLAN_DAYS)
    real_values = {"location_id": st.sampled_from(KNOWN_IDS["location_id"]),
                   "rubric_id": st.sampled_from(KNOWN_IDS["rubric_id"]),
                   "observed_at": moments, "started_at": moments, "ended_at": st.none(), "walk_id": st.none(),
                   "plan_id": st.sampled_from(KNOWN_IDS["plan_id"]), "plan_day": plan_days, "day": plan_days,
                   "checked_at": moments}
    anchors = st.fixed_dictionaries({name: values for name, values in real_values.items() if name in record})
    return anchors.map(lambda real: {**record, **real})


def answer_to_a_real_scenario(body) -> st.SearchStrategy:
    """A practice answer to one of the seeded scenarios, at a past moment, so it can be stored."""
    if not isinstance(body, dict):
        return st.just(body)
    anchors = st.fixed_dictionaries({"scenario_id": st.sampled_from(KNOWN_IDS["scenario_id"]),
                                     "answered_at": CAPTURE_TIMES.map(datetime.isoformat)})
    return anchors.map(lambda real: {**body, **real})


def plan_for_real_places(_body) -> st.SearchStrategy[dict]:
    """A plan the school can store: one of its places, some weekdays, a start, a term of a few months."""
    return st.builds(
        lambda place, days, hour, weeks, biweekly: plan_body(
            frequency="biweekly" if biweekly else "weekly", weekdays=sorted(days), starts_at=f"{hour:02}:00",
            ends_at=f"{hour + 1:02}:00", first_day="2026-09-01", last_day=f"2026-{9 + weeks // 5:02}-28")
        | {"location_id": place},
        st.sampled_from(KNOWN_IDS["location_id"]), st.sets(st.integers(0, 4), min_size=1), st.integers(6, 17),
        st.integers(0, 15), st.booleans())


REALISTIC_BODIES = {"POST /api/v1/push/subscriptions": browser_subscription, "POST /api/v1/sync": batch_for_real_places,
                    "POST /api/v1/practice/answers": answer_to_a_real_scenario,
                    "POST /api/v1/schools/{school_id}/plans": plan_for_real_places}


class DatabaseSnapshot:
    """Every row of the app's tables, put back with the id sequences before each scenario, so each one
    meets the same records under the same ids: Hypothesis replays choices and requires the same
    choices to get the same answers, which a place renamed or an id taken by an earlier scenario breaks."""

    def __init__(self, database):
        self.database = database
        database.session.commit()
        with database.engine.connect() as connection:
            self.rows = {table: [row._asdict() for row in connection.execute(table.select())]
                         for table in database.metadata.sorted_tables}

    def restore(self) -> None:
        self.database.session.commit()
        with self.database.engine.begin() as connection:
            for table in reversed(self.rows):
                connection.execute(table.delete())
            for table, rows in self.rows.items():
                if rows:
                    connection.execute(table.insert(), rows)
            if connection.dialect.name == "postgresql":  # SQLite numbers from the largest id left
                for table in self.rows:
                    if (column := table.autoincrement_column) is not None:
                        connection.exec_driver_sql(
                            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{column.name}'), "
                            f"coalesce(max({column.name}), 0) + 1, false) FROM \"{table.name}\"")
        self.database.session.expire_all()


@dataclass
class LinkTally:
    """Steps run, and the links followed by the steps that took a value from an earlier response."""

    steps: int = 0
    links: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        lines = [f"{sum(self.links.values())} of {self.steps} steps followed a link:"]
        return "\n".join(lines + [f"{count:5} × {link}" for link, count in sorted(self.links.items())])


def scenario_workflow(schema, scenario: Scenario, snapshot: DatabaseSnapshot, signed_in_clients, role: str,
                      tally: LinkTally):
    """The schema's state machine: each scenario starts from the snapshot with a new signed-in user."""
    numbers = itertools.count(1)

    class Workflow(schema.as_state_machine()):
        def setup(self):
            snapshot.restore()
            scenario.number = next(numbers)
            self.deleted_paths: set[str] = set()

        def get_call_kwargs(self, case):
            return {"session": signed_in_clients(scenario.key, role)[0],
                    "headers": {"Accept-Encoding": "identity"}}

        def step(self, input):
            tally.steps += 1
            if input.transition is not None and input.is_applied:
                tally.links[input.transition.id] += 1
            return super().step(input)

        def validate_response(self, response, case, **transport):
            """A valid batch may still hold a record that its documented type refuses (the generated
            oneOf is loose), and schemathesis then counts the case as invalid: sync answers by record."""
            checks = record_level_checks(case.operation, case.meta.generation.mode)
            checks["additional_checks"] = [*checks.get("additional_checks", []), self.deleted_stays_deleted]
            case.validate_response(response, transport_kwargs=transport or None, recorder=self.recorder, **checks)

        def deleted_stays_deleted(self, ctx, response, case) -> None:
            """What a DELETE answered 204 for (deleted, not archived) is not found afterwards; deleting it
            again may answer 204 or 404 (DELETE is idempotent: a revoked invitation stays revoked)."""
            path = case.formatted_path
            gone = [deleted for deleted in self.deleted_paths if path == deleted or path.startswith(f"{deleted}/")]
            found = response.status_code < 300 and not (case.method.upper() == "DELETE" and path in gone)
            assert not (gone and found), f"{gone[0]} was deleted, yet {case.method} answers {response.status_code}"
            if case.method.upper() == "DELETE" and response.status_code == 204 and case.path_parameters:
                self.deleted_paths.add(path)

    return Workflow


def test_scenarios_pass_every_check(scenario_schema, scenario, db, signed_in_clients, role):
    tally = LinkTally()
    workflow = scenario_workflow(scenario_schema, scenario, DatabaseSnapshot(db), signed_in_clients, role, tally)

    workflow.run(settings=settings(max_examples=SCENARIOS, stateful_step_count=SCENARIO_STEPS, derandomize=True,
                                   database=None, deadline=None, phases=[Phase.generate],
                                   suppress_health_check=list(HealthCheck)))

    print(tally.summary())
    assert any(link.startswith("POST") for link in tally.links), "no step used the answer to an earlier write"


# Boundary values the fuzzer's few examples rarely draw (issue 14 point 19): days and moments whose
# arithmetic overflows Python's dates (a day added to 9999-12-31, 0001-01-01 in UTC from +14:00).
OVERFLOWING = {"date": ["9999-12-31", "0001-01-01"],
               "date-time": ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59Z"]}
ROLES = ["district_admin", "principal", "observer", "viewer"]


def date_parameters(document: dict):
    """(path, name, format) of every date or date-time query parameter of a GET in the API document."""
    for path, operations in document["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            kind = parameter.get("schema", {}).get("format")
            if parameter["in"] == "query" and kind in OVERFLOWING:
                yield path, parameter["name"], kind


def test_every_date_parameter_refuses_an_overflowing_date_with_a_422_for_every_role(app, db, school, login_as):
    document = app.test_client().get(DOC_URL).get_json()
    parameters = list(date_parameters(document))
    assert {name for _path, name, _kind in parameters} >= {"date_from", "date_to", "from"}
    plan = plan_service.create_plan(factories.create_user("principal", school), school,
                                    PlanCreateSchema().load(plan_body()))
    database.session.commit()
    ids = {"school_id": school.id, "district_id": school.district_id, "plan_id": plan.id}
    failures = []
    for role in ROLES:
        client = login_as(role)[0]
        for path, name, kind in parameters:
            url = re.sub(r"{([a-z_]+)}", lambda match: str(ids[match.group(1)]), path)
            query = {"school_id": school.id} if "{school_id}" not in path and "{district_id}" not in path else {}
            baseline = client.get(url, query_string=query).status_code
            for value in OVERFLOWING[kind]:
                response = client.get(url, query_string={**query, name: value})
                expected = {422} if baseline == 200 else {baseline, 422}  # refused anyway (403/404): either refusal
                if response.status_code not in expected or response.mimetype != "application/problem+json":
                    failures.append(f"{role} GET {url}?{name}={value} → {response.status_code} (without it: {baseline})")
    assert failures == []
