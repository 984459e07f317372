"""Schemathesis against the app's own /api/v1/openapi.json, in-process, on SQLite and PostgreSQL.

Every operation is fuzzed with valid and invalid data and every built-in check: no 5xx, every
status, content type and body as documented (errors as problem+json), invalid input rejected.
Each operation gets its own freshly signed-in client (session cookie + X-CSRFToken on writes), so
signing out or a failed sign-in in one operation's cases cannot turn the next operation anonymous.
Path ids are drawn either by the fuzzer or from the seeded school, so cases reach real records.

The seed is fixed (derandomized) and examples per operation are bounded for CI; a larger run:
    HALLPULSE_FUZZ_EXAMPLES=500 python -m pytest tests/test_fuzz_api.py -q
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import request_started
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import negative_data_rejection

from server.auth import service as auth_service
from server.auth.models import Invitation, Membership
from server.db import db as database
from server.enums import Role
from server.extensions import limiter
from server.push.keys import ensure_key_pair
from server.schools.models import Location
from tests import factories
from tests.conftest import forget_request_globals
from tests.followups.helpers import create_follow_up, create_observation

DOC_URL = "/api/v1/openapi.json"
EXAMPLES = int(os.environ.get("HALLPULSE_FUZZ_EXAMPLES", "25"))
KNOWN_IDS: dict[str, list] = {}  # path parameter name → ids of real records, refreshed per test


def fuzz_config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict({
        "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True,
                       "with-security-parameters": False},  # the signed-in client sends the real cookie,
        # Every check but `positive_data_acceptance`: rules JSON Schema cannot say (a known time
        # zone, an opaque cursor, at least one field in a PATCH) rightly turn schema-valid input into 422s.
        "checks": {"enabled": True, "positive_data_acceptance": {"enabled": False}},
    })


def seed_school(app, school, other_school) -> None:
    """Records for path ids to point at: this school's places, staff, invitation, follow-up, and another
    school; and the server's push key, as `hallpulse init` makes it (without it the key is a documented 503)."""
    ensure_key_pair(Path(app.config["INSTANCE_DIR"]))
    principal = factories.create_user("principal", school)
    observer = factories.create_user("observer", school)
    create_observation(school, observer)
    follow_up = create_follow_up(school, owner=observer, creator=principal)
    auth_service.create_invitation(school, "new.teacher@example.org", Role.OBSERVER, invited_by=principal)
    database.session.commit()
    KNOWN_IDS.clear()
    KNOWN_IDS.update({
        "school_id": [school.id, other_school.id],
        "district_id": [school.district_id, other_school.district_id],
        "location_id": list(database.session.scalars(database.select(Location.id))),
        "membership_id": list(database.session.scalars(database.select(Membership.id))),
        "invitation_id": list(database.session.scalars(database.select(Invitation.id))),
        "follow_up_id": [str(follow_up.id)],
    })


@pytest.fixture(params=["principal", "observer"])
def role(request) -> str:
    return request.param


@pytest.fixture()
def api_schema(app, db, school, other_school, role, signed_in_clients):
    seed_school(app, school, other_school)
    schema = schemathesis.openapi.from_wsgi(DOC_URL, app, config=fuzz_config())

    @schema.auth()
    class SessionCookie:
        """The operation's own signed-in session, as schemathesis auth so `ignored_auth` can remove it."""

        def get(self, case, context):
            return signed_in_clients

        def set(self, case, clients, context):
            _client, cookie = clients(case.operation.label, role)
            case.cookies = {**(case.cookies or {}), **cookie}

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
    """A fresh sign-in per operation, made on first use: (client sending the CSRF token, session cookie).

    The cookie travels on each case rather than in the client's jar, so the `ignored_auth` check
    can take it away and see the 401.
    """
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    clients = {}

    def client_for(label: str, role: str):
        if (label, role) not in clients:
            limiter.reset()  # the sign-in limit is per address; the fuzzed sign-ins must not lock ours out
            client = login_as(role)[0]
            cookie = {cookie_name: client.get_cookie(cookie_name).value}
            client.delete_cookie(cookie_name)
            clients[label, role] = client, cookie
        return clients[label, role]

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
