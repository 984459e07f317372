"""The audit log in words, with names, on the page, in its filter and in the export; codes stay in the API."""
from __future__ import annotations

import ast
import html
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.audit.wording import WORDING, describe, label
from server.auth.models import User
from server.privacy.service import erase_user
from tests import factories
from tests.privacy.test_export import download, rows

SERVER = Path(__file__).resolve().parents[2] / "server"
CODE = re.compile(r"\b[a-z_]+\.[a-z_]+\b")


def scan_source() -> tuple[dict[str, str], list[str]]:
    """Every audit code the server's source records — `audit.record("x.y", …)`, `record_now(…)`,
    `record(…)` imported from the audit service, and helpers named `_record…` called with a code —
    and the calls whose code is not written out (allowed only inside such a helper)."""
    codes: dict[str, str] = {}
    unwritten: list[str] = []
    for path in sorted(SERVER.rglob("*.py")):
        if "migrations" in path.parts or path.parent.name == "audit":
            continue
        tree = ast.parse(path.read_text(), str(path))
        bare = any(isinstance(node, ast.ImportFrom) and node.module == "server.audit.service"
                   and any(alias.name in ("record", "record_now") for alias in node.names) for node in ast.walk(tree))
        enclosing = {}
        for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            for node in ast.walk(function):
                enclosing[node] = function.name  # inner functions come later and win
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args):
            callee = call.func
            audited = (isinstance(callee, ast.Attribute) and isinstance(callee.value, ast.Name)
                       and callee.value.id == "audit" and callee.attr in ("record", "record_now"))
            audited |= bare and isinstance(callee, ast.Name) and callee.id in ("record", "record_now")
            helper = isinstance(callee, ast.Name) and callee.id.startswith("_record")
            first = call.args[0]
            where = f"{path.relative_to(SERVER.parent)}:{call.lineno}"
            if (audited or helper) and isinstance(first, ast.Constant) and isinstance(first.value, str):
                codes.setdefault(first.value, where)
            elif audited and not enclosing.get(call, "").startswith("_record"):
                unwritten.append(where)
    return codes, unwritten


RECORDED, UNWRITTEN = scan_source()


def test_the_source_scan_finds_the_codes_it_should():
    assert {"auth.login", "auth.login_failed", "invitation.created", "location.deleted", "export.csv",
            "school.bell_schedule_changed", "user.erased"} <= set(RECORDED)
    assert len(RECORDED) >= 25


def test_every_audit_code_is_written_out_where_it_is_recorded():
    """So the scan sees every code: a computed code hides from it (pass it through a `_record…` helper)."""
    assert UNWRITTEN == []


@pytest.mark.parametrize("code", sorted(RECORDED))
def test_every_recorded_code_has_words(code):
    assert code in WORDING, f"{code} (recorded at {RECORDED[code]}) has no words in server/audit/wording.py"
    assert not CODE.search(label(code)), label(code)


def test_every_wording_reads_without_codes_even_with_nothing_to_name(app, db):
    """Each code's sentence, with no details and no one to name (all removed), is words and no crash."""
    events = [{"action": code, "actor_id": 999_999, "object_type": "user", "object_id": "x", "ip": "10.0.0.1",
               "details": {}} for code in WORDING]
    for code, sentence in zip(WORDING, describe(events)):
        assert sentence and not CODE.search(sentence), (code, sentence)
        assert "None" not in sentence and "{" not in sentence, (code, sentence)


def named(db, user: User, name: str) -> User:
    user.name = name
    db.session.commit()
    return user


def page_rows(client, school, **query) -> list[str]:
    text = client.get(f"/schools/{school.id}/audit", query_string=query).get_data(as_text=True)
    body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [html.unescape(re.sub(r"<[^>]+>", "", row)).split("What happened: ", 1)[1].split("From:")[0].strip()
            for row in body.split("<tr>")[1:]]


def test_the_page_says_sign_ins_invitations_and_schedule_changes_in_words(db, school, login_as):
    client, principal = login_as("principal")
    named(db, principal, "Dana Reyes")
    assert client.post(f"/api/v1/schools/{school.id}/invitations",
                       json={"email": "sam@example.org", "name": "Sam Lee", "role": "observer"}).status_code == 201
    assert client.put(f"/api/v1/schools/{school.id}/periods",
                      json=[{"name": "Period 1", "starts_at": "08:00", "ends_at": "08:50"}]).status_code == 200
    said = page_rows(client, school)
    assert said[:3] == ["Dana Reyes changed the bell schedule (1 period)", "Dana Reyes invited Sam Lee (observer)",
                        "Dana Reyes signed in"]


def test_the_page_never_shows_codes_or_object_ids(db, school, login_as):
    client, principal = login_as("principal")
    place = school.locations[0]
    for action, kind, target, details in [
        ("location.changed", "location", place.id, {"fields": ["name", "kind"]}),
        ("school.settings_changed", "school", school.id, {"fields": ["timezone", "min_cell_n"]}),
        ("export.csv", "heatmap", "quality", {"view": "quality", "rows": 12, "notes": False}),
    ]:
        db.session.add(AuditEvent(action=action, actor_id=principal.id, school_id=school.id, object_type=kind,
                                  object_id=str(target), ip="10.0.0.7", details=details))
    db.session.commit()
    said = page_rows(client, school)
    name = principal.name
    assert said[:3] == [f"{name} downloaded the quality heatmap as CSV (12 rows)",
                        f"{name} changed the school's settings (time zone, smallest cell shown)",
                        f"{name} changed the place \u201c{place.name}\u201d (name, kind)"]
    assert not any(CODE.search(sentence) for sentence in said), said


def test_removed_and_erased_people_are_a_removed_user(db, school, login_as):
    client, principal = login_as("principal")
    leaver = factories.create_user("observer", school, name="Lee Leaver")
    erased = factories.create_user("observer", school, name="Eri Erased")
    at = datetime(2026, 11, 2, 14, tzinfo=timezone.utc)
    db.session.add_all([
        AuditEvent(action="auth.login", actor_id=None, ip="10.0.0.9", at=at, school_id=school.id,
                   object_type="user", object_id="424242"),
        AuditEvent(action="auth.login", actor_id=erased.id, ip="10.0.0.9", at=at, school_id=school.id,
                   object_type="user", object_id=str(erased.id)),
        AuditEvent(action="membership.removed", actor_id=principal.id, ip="10.0.0.9", at=at, school_id=school.id,
                   object_type="membership", object_id="77", details={"user_id": leaver.id, "role": "observer"}),
    ])
    db.session.commit()
    erase_user(None, db.session.get(User, erased.id))
    db.session.delete(db.session.get(User, leaver.id))
    db.session.commit()
    said = page_rows(client, school)
    assert "A removed user signed in" in said
    assert said.count("A removed user signed in") == 2
    assert f"{principal.name} removed a removed user (observer) from the school" in said
    assert not any("Eri Erased" in s or "Lee Leaver" in s or "Former staff member" in s for s in said)


def test_the_filter_offers_words_and_keeps_the_codes_as_values(db, school, login_as):
    client, _ = login_as("principal")
    text = client.get(f"/schools/{school.id}/audit").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', text)
    assert ("auth.login", "Signed in") in options
    assert all(not CODE.search(words) for _, words in options), options
    filtered = client.get(f"/schools/{school.id}/audit", query_string={"action": "invitation.created"}).get_data(as_text=True)
    assert "No entries for \u201cInvitation sent\u201d" in html.unescape(filtered)


def test_the_export_says_each_event_in_words_with_names_beside_its_code(db, school, login_as):
    client, principal = login_as("principal")
    named(db, principal, "Dana Reyes")
    client.post(f"/api/v1/schools/{school.id}/invitations", json={"email": "sam@example.org", "name": "Sam Lee", "role": "observer"})
    (row,) = [r for r in rows(download(client, school), "audit.csv") if r["action"] == "invitation.created"]
    assert (row["what_happened"], row["actor"], row["event"]) == (
        "Dana Reyes invited Sam Lee (observer)", "Dana Reyes", "Invitation sent")


def test_the_api_keeps_the_codes(db, school, login_as):
    client, principal = login_as("principal")
    client.post(f"/api/v1/schools/{school.id}/invitations", json={"email": "sam@example.org", "name": "Sam Lee", "role": "observer"})
    items = client.get(f"/api/v1/schools/{school.id}/audit").get_json()["items"]
    invited = next(item for item in items if item["action"] == "invitation.created")
    assert (invited["object_type"], invited["actor_id"], invited["details"]["role"]) == ("invitation", principal.id, "observer")
    assert set(invited) == {"id", "at", "action", "actor_id", "actor_name", "object_type", "object_id", "ip", "details"}
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.id == invited["id"])) == "invitation.created"
