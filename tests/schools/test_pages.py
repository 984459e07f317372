"""The school pages: what a principal sees, and every form posting with the page's own CSRF token."""
import re

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.auth.models import Invitation, Membership
from server.schools.models import Location, Period, School
from tests import factories
from tests.schools.helpers import log_conversation_at

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def overview(client, school):
    response = client.get(f"/schools/{school.id}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def post_form(client, page_html, url, fields):
    """Post like the browser: the token scraped from the page, no script-only header."""
    token = CSRF_FIELD.search(page_html).group(1)
    return client.post(url, data={"csrf_token": token, **fields}, csrf=False)


def place(db, school, name):
    db.session.expire_all()
    return db.session.scalar(select(Location).where(Location.school_id == school.id, Location.name == name))


@pytest.fixture()
def principal(login_as):
    client, _ = login_as("principal")
    return client


def test_overview_shows_the_school_and_its_places(principal, school):
    html = overview(principal, school)
    for text in ("Lincoln Middle School", "America/Chicago", "Main hallway", "Staff lounge", "Room 204 (PLC)",
                 "Bell schedule", "Period 1", "Invite a colleague", "Settings"):
        assert text.replace("_", " ") in html


def test_overview_page_has_no_inline_script_or_style(principal, school):
    html = overview(principal, school)
    assert "<script" not in html
    assert "style=" not in html


def test_overview_lists_staff_with_their_roles(principal, school):
    factories.create_user("observer", school, email="ola@example.org", name="Ola Observer")
    html = overview(principal, school)
    assert "Ola Observer" in html and "ola@example.org" in html


def test_overview_is_not_cached(principal, school):
    assert principal.get(f"/schools/{school.id}").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("role", ["observer", "viewer"])
def test_observers_and_viewers_get_a_forbidden_page(login_as, school, role):
    client, _ = login_as(role)
    response = client.get(f"/schools/{school.id}", headers={"Accept": "text/html"})
    assert response.status_code == 403
    assert response.mimetype == "text/html"


def test_another_schools_overview_is_not_found_and_names_nothing(principal, other_school):
    response = principal.get(f"/schools/{other_school.id}", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "Riverside" not in response.get_data(as_text=True)


def test_signed_out_visitor_is_sent_to_sign_in(client, school):
    response = client.get(f"/schools/{school.id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_school_list_links_to_the_overview(principal, school):
    response = principal.get("/schools")
    assert response.status_code == 200
    assert f'href="/schools/{school.id}"' in response.get_data(as_text=True)


def test_observer_sees_the_school_listed_without_a_link(login_as, school):
    client, _ = login_as("observer")
    html = client.get("/schools").get_data(as_text=True)
    assert "Lincoln Middle School" in html and f'href="/schools/{school.id}"' not in html


def test_district_admin_adds_a_school_from_the_list_page(login_as, school, db):
    client, _ = login_as("district_admin")
    html = client.get("/schools").get_data(as_text=True)
    response = post_form(client, html, "/schools", {"name": "Jefferson High", "timezone": "America/Denver"})
    assert response.status_code == 302
    created = db.session.scalar(select(School).where(School.name == "Jefferson High"))
    assert (created.district_id, created.timezone) == (school.district_id, "America/Denver")
    assert client.get(response.headers["Location"]).status_code == 200


def test_form_without_the_csrf_token_changes_nothing(principal, school, db):
    response = principal.post(f"/schools/{school.id}/places", data={"name": "Gym", "kind": "hallway"}, csrf=False)
    assert response.status_code == 400
    assert place(db, school, "Gym") is None


def test_settings_form_saves_and_redirects_back(principal, school, db):
    html = overview(principal, school)
    response = post_form(principal, html, f"/schools/{school.id}/settings", {
        "name": "Lincoln Middle", "timezone": "America/New_York", "min_cell_n": "7",
        "walk_idle_minutes": "25", "note_retention_days": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/schools/{school.id}#settings")
    db.session.expire_all()
    stored = db.session.get(School, school.id)
    assert (stored.name, stored.timezone, stored.min_cell_n, stored.walk_idle_minutes, stored.note_retention_days) == (
        "Lincoln Middle", "America/New_York", 7, 25, None)
    assert "Settings saved." in overview(principal, school)


@pytest.mark.parametrize("fields, message", [
    ({"timezone": "Mars/Base"}, "Not a known time zone"),
    ({"min_cell_n": "0"}, "Smallest heatmap cell: "),
    ({"min_cell_n": "many"}, "Smallest heatmap cell: "),
    ({"min_cell_n": "\u00b2"}, "Smallest heatmap cell: "),
    ({"walk_idle_minutes": "9" * 30}, "Walk ends after (minutes): "),
    ({"note_retention_days": "3"}, "Erase notes after (days): "),
])
def test_invalid_settings_form_shows_the_problem_and_saves_nothing(principal, school, db, fields, message):
    html = overview(principal, school)
    form = {"name": "Renamed", "timezone": "America/Chicago", "min_cell_n": "5", "walk_idle_minutes": "20",
            "note_retention_days": "", **fields}
    response = post_form(principal, html, f"/schools/{school.id}/settings", form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(School, school.id).name == "Lincoln Middle School"


def test_schedule_form_replaces_the_schedule_and_ignores_blank_rows(principal, school, db):
    html = overview(principal, school)
    token = CSRF_FIELD.search(html).group(1)
    response = principal.post(f"/schools/{school.id}/schedule", csrf=False, data={
        "csrf_token": token,
        "name": ["Homeroom", "Period 1", ""], "starts_at": ["07:50", "08:05", ""], "ends_at": ["08:00", "08:55", ""]})
    assert response.status_code == 302
    stored = db.session.scalars(select(Period).where(Period.school_id == school.id).order_by(Period.starts_at)).all()
    assert [p.name for p in stored] == ["Homeroom", "Period 1"]


def test_overlapping_schedule_form_is_refused_with_the_reason(principal, school, db):
    html = overview(principal, school)
    token = CSRF_FIELD.search(html).group(1)
    response = principal.post(f"/schools/{school.id}/schedule", csrf=False, data={
        "csrf_token": token, "name": ["Period 1", "Period 2"], "starts_at": ["08:00", "08:30"],
        "ends_at": ["09:00", "09:30"]})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "overlaps" in page
    assert 'value="08:30"' in page  # what they typed is still there to fix
    assert len(db.session.scalars(select(Period).where(Period.school_id == school.id)).all()) == 5


def test_reset_schedule_form_gives_the_default_day(principal, school, db):
    response = post_form(principal, overview(principal, school), f"/schools/{school.id}/schedule/reset", {})
    assert response.status_code == 302
    assert len(db.session.scalars(select(Period).where(Period.school_id == school.id)).all()) == 9


def test_add_place_form_adds_it(principal, school, db):
    response = post_form(principal, overview(principal, school), f"/schools/{school.id}/places",
                         {"name": "Library", "kind": "library"})
    assert response.status_code == 302
    assert place(db, school, "Library").kind.value == "library"
    assert "Library" in overview(principal, school)


def test_duplicate_place_form_is_refused_with_a_clear_message(principal, school, db):
    response = post_form(principal, overview(principal, school), f"/schools/{school.id}/places",
                         {"name": "staff lounge", "kind": "lounge"})
    assert response.status_code == 409
    assert "already has a place called" in response.get_data(as_text=True)
    assert place(db, school, "staff lounge") is None


def test_rename_place_form_renames_it(principal, school, db):
    lounge = place(db, school, "Staff lounge")
    response = post_form(principal, overview(principal, school), f"/schools/{school.id}/places/{lounge.id}",
                         {"name": "Teachers' lounge", "kind": "lounge"})
    assert response.status_code == 302
    assert place(db, school, "Teachers' lounge").id == lounge.id


def test_archive_form_archives_a_place_with_history(principal, school, db):
    lounge = place(db, school, "Staff lounge")
    log_conversation_at(db, lounge)
    post_form(principal, overview(principal, school), f"/schools/{school.id}/places/{lounge.id}/archive", {})
    assert place(db, school, "Staff lounge").archived is True
    assert "Archived" in overview(principal, school)


def test_restore_form_brings_an_archived_place_back(principal, school, db):
    lounge = place(db, school, "Staff lounge")
    lounge.archived = True
    db.session.commit()
    post_form(principal, overview(principal, school), f"/schools/{school.id}/places/{lounge.id}/restore", {})
    assert place(db, school, "Staff lounge").archived is False


def test_place_of_another_school_cannot_be_edited_through_this_schools_page(principal, school, other_school, db):
    foreign = place(db, other_school, "Staff lounge")
    response = post_form(principal, overview(principal, school), f"/schools/{school.id}/places/{foreign.id}",
                         {"name": "Mine now", "kind": "lounge"})
    assert response.status_code == 404
    assert place(db, other_school, "Staff lounge") is not None


def test_role_form_changes_the_role(principal, school, db):
    colleague = factories.create_user("observer", school)
    membership = db.session.scalar(select(Membership).where(Membership.user_id == colleague.id))
    response = post_form(principal, overview(principal, school), f"/schools/{school.id}/staff/{membership.id}",
                         {"role": "viewer"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).role.value == "viewer"


def test_role_form_refuses_to_demote_the_last_principal(login_as, school, db):
    client, user = login_as("principal")
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    response = post_form(client, overview(client, school), f"/schools/{school.id}/staff/{membership.id}",
                         {"role": "viewer"})
    assert response.status_code == 409
    assert "at least one principal" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).role.value == "principal"


def test_remove_form_removes_the_member(principal, school, db):
    colleague = factories.create_user("observer", school)
    membership = db.session.scalar(select(Membership).where(Membership.user_id == colleague.id))
    response = post_form(principal, overview(principal, school), f"/schools/{school.id}/staff/{membership.id}/remove", {})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Membership, membership.id) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "membership.removed")) is not None


def test_invite_form_shows_the_link_once(principal, school, db):
    response = post_form(principal, overview(principal, school), f"/schools/{school.id}/invitations",
                         {"email": "nia@example.org", "name": "Nia Teacher", "role": "observer"})
    assert response.status_code == 302
    first_view = overview(principal, school)
    link = re.search(r'>(http://localhost/invitations/[^<]+)</textarea>', first_view)
    assert link is not None
    assert link.group(1) not in overview(principal, school)
    assert "Nia Teacher" in overview(principal, school)  # still listed as waiting


def test_invalid_invite_form_is_refused(principal, school, db):
    response = post_form(principal, overview(principal, school), f"/schools/{school.id}/invitations",
                         {"email": "nia-at-example", "name": "", "role": "observer"})
    assert response.status_code == 422
    assert "Email" in response.get_data(as_text=True)
    assert db.session.scalars(select(Invitation)).all() == []


def test_revoke_form_revokes_the_invitation(principal, school, db):
    post_form(principal, overview(principal, school), f"/schools/{school.id}/invitations",
              {"email": "nia@example.org", "name": "", "role": "viewer"})
    invitation = db.session.scalar(select(Invitation))
    response = post_form(principal, overview(principal, school),
                         f"/schools/{school.id}/invitations/{invitation.id}/revoke", {})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Invitation)).all() == []


@pytest.mark.parametrize("role", ["observer", "viewer"])
def test_observers_and_viewers_cannot_post_the_forms(login_as, school, db, role):
    client, _ = login_as(role)
    html = client.get("/schools").get_data(as_text=True)
    response = post_form(client, html, f"/schools/{school.id}/places", {"name": "Gym", "kind": "hallway"})
    assert response.status_code == 403
    assert place(db, school, "Gym") is None


def test_principal_who_steps_down_lands_on_the_school_list(login_as, school, db):
    client, user = login_as("principal")
    factories.create_user("principal", school)
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    response = post_form(client, overview(client, school), f"/schools/{school.id}/staff/{membership.id}",
                         {"role": "observer"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/schools")
