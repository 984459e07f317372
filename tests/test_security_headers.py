"""Every response — page, API, health check, static file, error — carries the browser protections;
signed-in API answers are never stored; cross-site writes are refused before they touch anything.

Routes are sampled from app.url_map, so a new one is checked the day it is added.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import factories

MISSING_ID = "999999"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def csp_directives(policy: str) -> dict[str, list[str]]:
    directives = {}
    for directive in filter(None, (part.strip() for part in policy.split(";"))):
        name, *sources = directive.split()
        directives[name.lower()] = sources
    return directives


def security_header_problems(response) -> list[str]:
    """What is missing or unsafe in one response's headers (an empty list when all is well)."""
    headers = response.headers
    problems = []
    policy = csp_directives(headers.get("Content-Security-Policy", ""))
    for directive, source in [("object-src", "'none'"), ("base-uri", "'none'"), ("frame-ancestors", "'none'"),
                              ("worker-src", "'self'")]:
        if policy.get(directive) != [source]:
            problems.append(f"CSP {directive} is {policy.get(directive)}, not {source}")
    scripts = policy.get("script-src", policy.get("default-src"))
    if not scripts or {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(scripts):
        problems.append(f"CSP script-src is {scripts}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") not in {"strict-origin-when-cross-origin", "same-origin", "no-referrer", "strict-origin"}:
        problems.append(f"Referrer-Policy is {headers.get('Referrer-Policy')}")
    if "camera=()" not in headers.get("Permissions-Policy", ""):
        problems.append(f"Permissions-Policy is {headers.get('Permissions-Policy')}")
    return problems


def sample_urls(app) -> list[str]:
    """A GET URL for every rule (ids that do not exist), plus every static file and every PWA shell file."""
    urls = set()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            urls.add(re.sub(r"<[^>]+>", MISSING_ID, rule.rule))
    static = Path(app.static_folder)
    urls |= {f"{app.static_url_path}/{path.relative_to(static).as_posix()}" for path in static.rglob("*") if path.is_file()}
    urls |= set(app.extensions.get("pwa_shell", {}).get("files", []))
    return sorted(urls)


def assert_every_response_is_protected(client, urls) -> None:
    failures = {}
    for url in urls:
        response = client.get(url, headers={"Accept": "text/html,application/json;q=0.9"})
        unexpected_error = response.status_code >= 500 and response.status_code != 503  # 503: deliberately unavailable
        if unexpected_error or security_header_problems(response):
            failures[f"{url} ({response.status_code})"] = security_header_problems(response) or "server error"
    assert failures == {}


def test_every_response_to_a_visitor_carries_the_security_headers(app, client):
    urls = sample_urls(app)
    assert {"/healthz", "/api/v1/auth/csrf"} <= set(urls)
    assert any(url.startswith(app.static_url_path + "/") for url in urls), "no static file to check"

    assert_every_response_is_protected(client, urls)


def test_every_response_to_a_signed_in_user_carries_the_security_headers(app, login_as):
    principal, _user = login_as("principal")

    assert_every_response_is_protected(principal, sample_urls(app))


def test_static_files_are_served_with_the_security_headers(app, client):
    static = sorted(path for path in Path(app.static_folder).rglob("*") if path.is_file())
    assert static, "no static file to check"

    response = client.get(f"{app.static_url_path}/{static[0].relative_to(app.static_folder).as_posix()}")

    assert response.status_code == 200
    assert security_header_problems(response) == []


def test_signed_in_api_responses_are_never_stored(app, login_as, school):
    principal, _user = login_as("principal")
    urls = {re.sub(r"<(?:int:)?school_id>", str(school.id), rule.rule) for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/") and "GET" in rule.methods}
    urls = {re.sub(r"<[^>]+>", MISSING_ID, url) for url in urls}

    stored = {url: principal.get(url).headers.get("Cache-Control") for url in sorted(urls)}

    assert {url: value for url, value in stored.items() if "no-store" not in (value or "")} == {}
    assert principal.get("/api/v1/auth/me").status_code == 200


def row_counts(db) -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables}


def test_cross_site_writes_are_refused_on_every_route_and_change_nothing(app, db, login_as):
    principal, _user = login_as("principal")
    before = row_counts(db)
    answers = {}
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<[^>]+>", MISSING_ID, rule.rule)
        for method in sorted(rule.methods & set(WRITE_METHODS)):
            response = principal.open(url, method=method, json={}, headers={"Sec-Fetch-Site": "cross-site"})
            answers[f"{method} {url}"] = response.status_code

    assert answers and {route: status for route, status in answers.items() if status != 403} == {}
    db.session.expire_all()
    assert row_counts(db) == before
    assert principal.get("/api/v1/auth/me").status_code == 200


def test_cross_site_sign_in_is_refused_even_with_the_right_password(client, db, school):
    user = factories.create_user("principal", school)

    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": factories.PASSWORD},
                           headers={"Sec-Fetch-Site": "cross-site"}, csrf=False)

    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers
    assert client.get("/api/v1/auth/me").status_code == 401


def test_same_origin_writes_are_not_refused(client, db, school):
    user = factories.create_user("principal", school)

    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": factories.PASSWORD},
                           headers={"Sec-Fetch-Site": "same-origin"})

    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/healthz", "/api/v1/auth/csrf", "/api/v1/no-such-thing", "/no-such-page"])
def test_hsts_is_not_sent_over_plain_http_in_development(client, url):
    assert "Strict-Transport-Security" not in client.get(url).headers


def test_responses_carrying_the_csrf_token_are_never_compressed(client):
    """BREACH: a compressed response that embeds a secret next to reflected input can leak it."""
    for path in ("/api/v1/auth/csrf", "/login?next=/schools"):
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers, path


def test_app_shell_files_are_gzipped_for_clients_that_accept_it(client):
    response = client.get("/js/app.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == "gzip"
