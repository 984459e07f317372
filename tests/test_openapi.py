"""The generated OpenAPI document: valid, complete, honest about sign-in and errors, and its diffs visible.

When routes change on purpose, refresh the snapshot and review its diff with the change:
    HALLPULSE_UPDATE_SNAPSHOT=1 python -m pytest tests/test_openapi.py
"""
from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path

import pytest
import schemathesis

from tests.conftest import IN_CI

SNAPSHOT = Path(__file__).with_name("openapi.snapshot.json")
UPDATE_SNAPSHOT = os.environ.get("HALLPULSE_UPDATE_SNAPSHOT", "").lower() in {"1", "true", "yes"}
DOC_URL = "/api/v1/openapi.json"
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
MISSING_ID = "999999"


@pytest.fixture()
def document(client) -> dict:
    response = client.get(DOC_URL)
    assert response.status_code == 200
    return response.get_json()


def api_operations(app) -> list[tuple[str, str, str]]:
    """(OpenAPI path, method, a URL to call) for every /api/v1 route in app.url_map but the document itself."""
    operations = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == DOC_URL:
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        url = re.sub(r"<[^>]+>", MISSING_ID, rule.rule)
        operations += [(path, method.lower(), url) for method in sorted(rule.methods & HTTP_METHODS)]
    return operations


def resolve(document: dict, response: dict) -> dict:
    while "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[-1]
        response = document["components"]["responses"][name]
    return response


def test_the_document_is_valid_openapi_3(document):
    assert document["openapi"].startswith("3.")
    schemathesis.openapi.from_dict(document).validate()


def test_every_api_route_is_documented(app, document):
    missing = [f"{method.upper()} {path}" for path, method, _url in api_operations(app)
               if method not in document["paths"].get(path, {})]

    assert missing == []


def test_operations_that_need_sign_in_declare_the_session_and_a_401(app, client, document):
    """What the API does signed out (401 or not) is what the document says, for every operation."""
    mismatches = []
    for path, method, url in api_operations(app):
        body = {"json": {}} if method in {"post", "put", "patch"} else {}
        client.refresh_csrf()  # signing out (a public write) clears the session and its token
        needs_sign_in = client.open(url, method=method.upper(), **body).status_code == 401
        operation = document["paths"][path][method]
        declares_sign_in = operation.get("security") == [{"session": []}] and "401" in operation["responses"]
        if needs_sign_in != declares_sign_in:
            mismatches.append(f"{method.upper()} {path}: answers 401 signed out: {needs_sign_in}, documents it: {declares_sign_in}")

    assert mismatches == []
    assert document["components"]["securitySchemes"]["session"]["in"] == "cookie"


def test_every_change_documents_that_an_empty_body_is_refused(app, document):
    """A PATCH body must name something to change: documented (minProperties 1, or a required field)."""
    patches = [(path, url) for path, method, url in api_operations(app) if method == "patch"]
    assert patches
    for path, _url in patches:
        body = document["paths"][path]["patch"]["requestBody"]["content"]["application/json"]["schema"]
        name = body["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
        assert schema.get("minProperties") == 1 or schema.get("required"), path


def test_error_responses_are_documented_as_problem_json(document):
    wrong = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method.upper() not in HTTP_METHODS:
                continue  # path-level "parameters"
            for status, response in operation["responses"].items():
                if status == "default" or int(status) >= 400:
                    content = resolve(document, response).get("content", {})
                    if set(content) != {"application/problem+json"}:
                        wrong.append(f"{method.upper()} {path} {status}: {sorted(content)}")

    assert wrong == []


def canonical(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_document_matches_the_snapshot(document):
    current = canonical(document)
    if UPDATE_SNAPSHOT:
        assert not IN_CI, "CI compares with the committed snapshot; refresh it locally"
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert SNAPSHOT.exists(), f"no snapshot yet: run HALLPULSE_UPDATE_SNAPSHOT=1 python -m pytest {__file__}"
    expected = SNAPSHOT.read_text(encoding="utf-8")

    if current != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), current.splitlines(keepends=True),
            fromfile="tests/openapi.snapshot.json", tofile="GET /api/v1/openapi.json",
        ))
        pytest.fail(
            "The API document changed. If that is intended, refresh the snapshot with\n"
            "    HALLPULSE_UPDATE_SNAPSHOT=1 python -m pytest tests/test_openapi.py\n"
            f"and commit it with the change. The diff:\n{diff}",
            pytrace=False,
        )
