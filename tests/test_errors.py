"""Every bad request is a clear 4xx in one shape (problem+json for the API), writes nothing, and is never a 500.

The write routes are read from app.url_map, so a new endpoint is covered the day it is added.
"""
from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy import func, select

from schemas.plans import PlanCreateSchema
from server.auth.models import Invitation, Membership
from server.enums import Role
from server.practice.models import PracticeScenario
from tests import factories
from tests.practice.helpers import create_scenario
from server.plans import service as plan_service
from server.plans.models import PlannedConversation
from tests import factories
from tests.plans.helpers import plan_body
from tests.subprocesses import app_env, free_port, run_python

BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")  # DELETE: unsubscribing a push device sends a body
MISSING_ID = "999999"
DEEP_JSON = "[" * 1000 + "]" * 1000  # past the parser's recursion limit (issue 14 point 18)


def api_write_routes(app) -> list[tuple[str, str]]:
    """(method, url) for every body-carrying /api/v1 route, path parameters filled with an id that does not exist."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            url = re.sub(r"<[^>]+>", MISSING_ID, rule.rule)
            routes += [(method, url) for method in sorted(rule.methods & set(BODY_METHODS))]
    return routes


def row_counts(db) -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert isinstance(body["type"], str) and isinstance(body["title"], str) and body["title"]
    assert body["status"] == status
    return body


@pytest.fixture()
def principal(login_as):
    client, _user = login_as("principal")
    return client


def send_to_every_write_route(app, db, client, expected_status: int, detail: str, **request) -> None:
    """Send the same bad request to every write route: each answers `expected_status` with a problem whose
    detail mentions `detail`, nothing is stored, and the sender is still signed in afterwards."""
    routes = api_write_routes(app)
    assert ("POST", "/api/v1/auth/login") in routes
    before = row_counts(db)
    failures = []
    for method, url in routes:
        response = client.open(url, method=method, **request)
        problem = response.get_json(silent=True) or {}
        if (response.status_code, response.mimetype) != (expected_status, "application/problem+json") \
                or detail.lower() not in problem.get("detail", "").lower():
            failures.append(f"{method} {url} → {response.status_code} {response.get_data(as_text=True)[:200]}")
        else:
            assert_problem(response, expected_status)
    assert failures == []
    db.session.expire_all()
    assert row_counts(db) == before
    assert client.get("/api/v1/auth/me").status_code == 200


def test_malformed_json_is_a_400_problem_on_every_write_route(app, db, principal):
    send_to_every_write_route(app, db, principal, 400, "JSON", data='{"name": "Lincoln",', content_type="application/json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
def test_a_body_that_is_not_json_is_a_415_problem_on_every_write_route(app, db, principal, content_type):
    send_to_every_write_route(app, db, principal, 415, "application/json", data="name=Lincoln", content_type=content_type)


def test_a_body_over_the_size_limit_is_a_413_problem_on_every_write_route(app, db, principal):
    oversized = '{"name": "' + "a" * app.config["MAX_CONTENT_LENGTH"] + '"}'
    send_to_every_write_route(app, db, principal, 413, "", data=oversized, content_type="application/json")


def test_a_write_without_the_csrf_token_is_a_400_problem_on_every_write_route(app, db, principal):
    send_to_every_write_route(app, db, principal, 400, "CSRF", json={}, csrf=False)


def assert_no_traceback_logged(caplog) -> None:
    """A client's mistake is logged as one, never as an error with a traceback."""
    logged = [(record.name, record.levelname, record.getMessage()[:120]) for record in caplog.records
              if record.exc_info or record.levelno >= logging.ERROR]
    assert logged == []


def test_json_nested_too_deeply_is_a_400_problem_on_every_write_route(app, db, principal, caplog):
    caplog.set_level(logging.INFO)
    send_to_every_write_route(app, db, principal, 400, "nested too deeply", data=DEEP_JSON, content_type="application/json")
    assert_no_traceback_logged(caplog)
    assert any("nested too deeply" in record.getMessage() and record.levelno == logging.INFO for record in caplog.records)


@pytest.mark.parametrize("url", ["/api/v1/auth/login", "/api/v1/sync"])
def test_json_nested_too_deeply_from_someone_signed_out_is_a_400_without_a_traceback(client, url, caplog):
    caplog.set_level(logging.INFO)
    assert_problem(client.post(url, data=DEEP_JSON, content_type="application/json"), 400)
    assert_no_traceback_logged(caplog)


def test_json_nested_too_deeply_does_not_get_round_the_login_limit(client, db, school):
    """The limit still stands after deeply nested bodies: the next real attempt is a 429."""
    user = factories.create_user("principal", school)
    for _ in range(5):
        assert client.post("/api/v1/auth/login", json={"email": user.email, "password": "wrong guess"}).status_code == 401
    deep_login = '{"email": "%s", "password": %s}' % (user.email, DEEP_JSON)
    assert_problem(client.post("/api/v1/auth/login", data=deep_login, content_type="application/json"), 400)
    assert_problem(client.post("/api/v1/auth/login", json={"email": user.email, "password": factories.PASSWORD}), 429)


@pytest.mark.parametrize("content_type", [
    "application/json; charset=latin-1", "application/json; charset=ISO-8859-1", "application/json; charset=utf-16",
    "application/merge-patch+json", "application/vnd.api+json", "application/json-patch+json", "text/json",
])
def test_json_in_another_charset_or_a_json_variant_is_a_415_problem_on_every_write_route(app, db, principal, content_type):
    send_to_every_write_route(app, db, principal, 415, "application/json", data="{}", content_type=content_type)


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "application/json;charset=UTF-8", "Application/JSON"])
def test_json_in_utf_8_is_accepted_however_the_type_is_written(client, principal, school, content_type):
    body = json.dumps({"name": "Café corridor", "kind": "hallway"}, ensure_ascii=False).encode("utf-8")
    response = principal.post(f"/api/v1/schools/{school.id}/locations", data=body, content_type=content_type)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["name"] == "Café corridor"


# Who may not send each write (a role in the route's own school), for ApiBlueprint.access: permission is
# decided before the body is read (issue 14 point 20). Every body-carrying /api/v1 route is named here
# or in OPEN_WRITES, so a new one must say who it refuses.
REFUSED_WRITES = {
    ("schools_api.Schools", "POST"): ("principal", "observer", "viewer"),
    ("schools_api.SchoolDetail", "PATCH"): ("observer", "viewer"),
    ("schools_api.Periods", "PUT"): ("observer", "viewer"),
    ("schools_api.reset_periods", "POST"): ("observer", "viewer"),
    ("schools_api.Locations", "POST"): ("observer", "viewer"),
    ("schools_api.LocationDetail", "PATCH"): ("observer", "viewer"),
    ("schools_api.LocationDetail", "DELETE"): ("observer", "viewer"),
    ("schools_api.MembershipDetail", "PATCH"): ("observer", "viewer"),
    ("schools_api.MembershipDetail", "DELETE"): ("observer", "viewer"),
    ("schools_api.Invitations", "POST"): ("observer", "viewer"),
    ("schools_api.revoke_invitation", "DELETE"): ("observer", "viewer"),
    ("privacy_api.erase_member", "POST"): ("observer", "viewer"),
    ("privacy_api.delete_school", "POST"): ("principal", "observer", "viewer"),
    ("push_api.set_weekly_nudge", "PUT"): ("observer", "viewer"),
    ("sync_api.sync", "POST"): ("viewer",),
    ("practice_api.Scenarios", "POST"): ("observer", "viewer"),
    ("practice_api.ScenarioDetail", "PATCH"): ("observer", "viewer"),
    ("practice_api.ScenarioDetail", "DELETE"): ("observer", "viewer"),
    ("practice_api.answer", "POST"): (),  # every role of the school practises
    ("plans_api.Plans", "POST"): ("observer", "viewer"),
    ("plans_api.PlanDetail", "PATCH"): ("observer", "viewer"),
    ("plans_api.PlanDetail", "DELETE"): ("observer", "viewer"),
    ("plans_api.cancel_day", "POST"): ("observer", "viewer"),
    ("plans_api.PlanFeed", "POST"): ("observer", "viewer"),
    ("plans_api.PlanFeed", "DELETE"): ("observer", "viewer"),
    ("plans_api.import_calendar", "POST"): ("observer", "viewer"),
}
OPEN_WRITES = {("auth_api.login", "POST"), ("auth_api.logout", "POST"),  # anyone
               ("push_api.subscribe", "POST"), ("push_api.unsubscribe", "DELETE")}  # the caller's own devices
INVALID_BODY = {"no_such_field": ["not", "valid"]}  # unknown=RAISE everywhere: a 422 for anyone allowed


def own_school_path(db, rule, school, member) -> str:
    """The rule with each path id naming an object of the caller's own school."""
    ids = {
        "school_id": school.id, "user_id": member.id,
        "location_id": school.locations[0].id,
        "membership_id": db.session.scalar(select(Membership.id).where(Membership.user_id == member.id)),
        "invitation_id": db.session.scalar(select(Invitation.id).where(Invitation.school_id == school.id)),
        "scenario_id": db.session.scalar(select(PracticeScenario.id).where(PracticeScenario.school_id == school.id)),
        "plan_id": db.session.scalar(select(PlannedConversation.id).where(PlannedConversation.school_id == school.id)),
    }
    return re.sub(r"<(?:[^:<>]+:)?([a-z_]+)>", lambda match: str(ids[match.group(1)]), rule.rule)


def test_every_write_route_says_whom_it_refuses(app):
    writes = {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              for method in rule.methods & set(BODY_METHODS)}
    assert writes - set(REFUSED_WRITES) - OPEN_WRITES == set()
    assert set(REFUSED_WRITES) | OPEN_WRITES <= writes


def test_a_role_without_the_right_gets_a_403_before_its_body_is_read_on_every_write_route(app, db, school, login_as):
    from server.auth import service as auth_service

    member = factories.create_user("observer", school)
    auth_service.create_invitation(school, "new.teacher@example.org", Role.OBSERVER, invited_by=member)
    create_scenario(school)
    plan_service.create_plan(member, school, PlanCreateSchema().load(plan_body()))
    db.session.commit()
    clients = {role: login_as(role)[0] for role in ("principal", "observer", "viewer")}
    before = row_counts(db)
    failures = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & set(BODY_METHODS)):
            for role in REFUSED_WRITES.get((rule.endpoint, method), ()):
                url = own_school_path(db, rule, school, member)
                response = clients[role].open(url, method=method, json=INVALID_BODY)
                if (response.status_code, response.mimetype) != (403, "application/problem+json"):
                    failures.append(f"{role} {method} {url} → {response.status_code} {response.get_data(as_text=True)[:150]}")
    assert failures == []
    db.session.expire_all()
    assert row_counts(db) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": 42, "password": factories.PASSWORD}, "email"),
        ({"email": "principal@example.org", "password": ["a", "list"]}, "password"),
        ({"email": None, "password": factories.PASSWORD}, "email"),
        ({"email": "principal@example.org"}, "password"),
    ],
    ids=["number-for-email", "list-for-password", "null-email", "missing-password"],
)
def test_login_with_a_wrong_type_is_a_422_naming_the_field(client, db, body, field):
    before = row_counts(db)

    problem = assert_problem(client.post("/api/v1/auth/login", json=body), 422)

    assert field in problem["errors"]["json"]
    assert row_counts(db) == before


def test_login_with_an_unknown_field_is_a_422_naming_it(client, db):
    body = {"email": "principal@example.org", "password": factories.PASSWORD, "role": "district_admin"}

    problem = assert_problem(client.post("/api/v1/auth/login", json=body), 422)

    assert problem["errors"]["json"]["role"] == ["Unknown field."]


def test_a_json_body_that_is_not_an_object_is_a_422(client, db):
    assert_problem(client.post("/api/v1/auth/login", json=["principal@example.org", factories.PASSWORD]), 422)


@pytest.mark.parametrize("url", ["/api/v1/no-such-thing", "/api/v2/auth/login", "/api/v1/auth/me/extra"])
def test_an_unknown_api_url_is_a_404_problem(client, url):
    assert_problem(client.get(url), 404)


def test_an_unknown_page_is_an_html_404_for_browsers(client):
    response = client.get("/no-such-page", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<html" in response.get_data(as_text=True).lower()


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [("PUT", "/api/v1/auth/login", "POST"), ("DELETE", "/api/v1/auth/me", "GET"), ("POST", "/api/v1/auth/csrf", "GET")],
)
def test_a_wrong_method_is_a_405_problem_listing_the_allowed_ones(client, db, method, url, allowed):
    response = client.open(url, method=method, json={})

    assert_problem(response, 405)
    assert allowed in [name.strip() for name in response.headers["Allow"].split(",")]


SIGN_IN_WITHOUT_A_DATABASE = """
import json
from server import create_app
client = create_app().test_client()
token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
response = client.post("/api/v1/auth/login", json={"email": "dana@example.org", "password": "x" * 12},
                       headers={"X-CSRFToken": token})
print(json.dumps({"status": response.status_code, "type": response.mimetype, "retry": response.headers.get("Retry-After"),
                  "body": response.get_json()}))
"""


def test_a_database_that_cannot_be_reached_is_a_503_problem_to_retry_not_a_500(tmp_path):
    """PostgreSQL down (nothing listens on its port): the request is answered, 503 with Retry-After."""
    env = app_env(tmp_path, HALLPULSE_ENV="testing", DATABASE_URL=f"postgresql://postgres@127.0.0.1:{free_port()}/test")
    result = run_python(SIGN_IN_WITHOUT_A_DATABASE, env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert (answer["status"], answer["type"]) == (503, "application/problem+json")
    assert int(answer["retry"]) >= 5  # ours, or the login rate limit's window if that is later (Flask-Limiter)
    assert answer["body"]["title"] == "Service Unavailable" and "try again" in answer["body"]["detail"]
