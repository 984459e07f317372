"""The audit log: principals and district admins read their school's events; nothing can change them."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from server.audit.models import AuditEvent
from tests import factories

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def add_events(db, school, *actions, start=datetime(2026, 11, 2, 14, tzinfo=timezone.utc)):
    for minutes, action in enumerate(actions):
        db.session.add(AuditEvent(action=action, school_id=school.id, district_id=school.district_id,
                                  at=start + timedelta(minutes=minutes), ip="10.0.0.7", object_type="school",
                                  object_id=str(school.id)))
    db.session.commit()


def events(client, school, **query):
    answer = client.get(f"/api/v1/schools/{school.id}/audit", query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_principals_see_their_schools_events_newest_first(db, school, login_as):
    add_events(db, school, "school.settings_changed", "location.created", "membership.role_changed")
    client, _ = login_as("principal")
    actions = [item["action"] for item in events(client, school)["items"] if item["object_type"] == "school"]
    assert actions == ["membership.role_changed", "location.created", "school.settings_changed"]


def test_events_can_be_filtered_by_action_or_family(db, school, login_as):
    add_events(db, school, "location.created", "location.archived", "school.settings_changed")
    client, _ = login_as("principal")
    assert [i["action"] for i in events(client, school, action="location.created")["items"]] == ["location.created"]
    assert events(client, school, action="location")["total"] == 2


def test_events_are_paged(db, school, login_as):
    add_events(db, school, *["location.created"] * 7)
    client, _ = login_as("principal")
    second = events(client, school, action="location", per_page=3, page=2)
    assert (second["total"], len(second["items"]), second["page"]) == (7, 3, 2)


def test_a_misspelt_filter_is_a_problem(db, school, login_as):
    client, _ = login_as("principal")
    answer = client.get(f"/api/v1/schools/{school.id}/audit", query_string={"acton": "x"})
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"


def test_staff_sign_ins_show_with_who_and_where(db, school, login_as):
    client, principal = login_as("principal")
    sign_ins = events(client, school, action="auth.login")["items"]
    assert sign_ins and sign_ins[0]["actor_name"] == principal.name and sign_ins[0]["ip"] == "127.0.0.1"


def test_district_admins_read_the_log_and_observers_and_viewers_do_not(db, school, login_as):
    add_events(db, school, "school.settings_changed")
    admin, _ = login_as("district_admin")
    assert events(admin, school)["total"] >= 1
    for role in ("observer", "viewer"):
        client, _ = login_as(role)
        assert client.get(f"/api/v1/schools/{school.id}/audit").status_code == 403
        assert client.get(f"/schools/{school.id}/audit").status_code == 403


def test_other_schools_events_never_show(db, school, other_school, login_as):
    add_events(db, other_school, "school.settings_changed")
    client, _ = login_as("principal")
    assert all(item["object_id"] != str(other_school.id) for item in events(client, school)["items"])


def test_the_page_shows_each_event_in_the_schools_zone(db, school, login_as):
    add_events(db, school, "school.settings_changed", start=datetime(2026, 11, 2, 14, 5, tzinfo=timezone.utc))
    client, _ = login_as("principal")
    page = client.get(f"/schools/{school.id}/audit").get_data(as_text=True)
    assert "changed the school&#39;s settings" in page and "08:05:00" in page and "10.0.0.7" in page  # America/Chicago, UTC−6


def test_the_page_shows_names_as_text(db, school, login_as):
    factories.create_user("observer", school, name="<script>alert(1)</script>")
    client, _ = login_as("principal")
    from server.auth.models import User
    from sqlalchemy import select

    mallory = db.session.scalar(select(User).where(User.name.like("<script>%")))
    db.session.add(AuditEvent(action="auth.login", actor_id=mallory.id, ip="10.0.0.9"))
    db.session.commit()
    page = client.get(f"/schools/{school.id}/audit").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


def test_only_district_admins_see_the_delete_form(db, school, login_as):
    principal, _ = login_as("principal")
    admin, _ = login_as("district_admin")
    assert 'id="delete-school"' not in principal.get(f"/schools/{school.id}/audit").get_data(as_text=True)
    assert 'id="delete-school"' in admin.get(f"/schools/{school.id}/audit").get_data(as_text=True)


def test_the_school_overview_links_to_the_audit_page_and_it_to_the_export(db, school, login_as):
    client, _ = login_as("principal")
    assert f'href="/schools/{school.id}/audit"' in client.get(f"/schools/{school.id}").get_data(as_text=True)
    assert f'href="/api/v1/schools/{school.id}/export"' in client.get(f"/schools/{school.id}/audit").get_data(as_text=True)


def test_no_route_can_change_or_delete_audit_events(app):
    writable = [(rule.rule, sorted(rule.methods & WRITE_METHODS)) for rule in app.url_map.iter_rules()
                if "audit" in rule.rule and rule.methods & WRITE_METHODS]
    assert writable == []
