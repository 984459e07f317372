"""The plan pages work with plain forms: create, edit, cancel a day, delete, and the calendar link."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from server.db import db as database
from server.plans.models import PlannedConversation
from tests.plans.helpers import create_plan

FORM = {"name": "Data team", "purpose": "Using data to see where practice falls short", "kind": "data_team",
        "frequency": "biweekly", "weekdays": ["0", "3"], "starts_at": "07:30", "ends_at": "08:15",
        "first_day": "2026-09-09", "last_day": "2026-10-08", "participants": "Grade 6 team", "participant_count": "5",
        "focus_traits": ["evidence"], "cancelled_dates": "2026-09-24"}


def plan_count() -> int:
    return database.session.scalar(select(func.count()).select_from(PlannedConversation))


def test_a_principal_plans_with_the_form_and_sees_it_listed(login_as, school):
    client, _ = login_as("principal")

    answer = client.post(f"/schools/{school.id}/plans/new", data=FORM)

    assert answer.status_code == 302
    page = client.get(f"/schools/{school.id}/plans").get_data(as_text=True)
    assert "Data team" in page and "Every other Monday and Thursday, 07:30–08:15" in page
    assert "Cancelled" in page and "Thu 24 Sep" in page
    plan = database.session.scalar(select(PlannedConversation))
    assert plan.current.cancelled_dates == ["2026-09-24"] and plan.participant_count == 5


def test_a_bad_form_shows_the_problems_keeps_the_input_and_stores_nothing(login_as, school):
    client, _ = login_as("principal")

    answer = client.post(f"/schools/{school.id}/plans/new", data={**FORM, "last_day": "2026-09-01", "name": "Kept name"})

    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "The term&#39;s last day comes before its first." in page and 'value="Kept name"' in page
    assert plan_count() == 0


def test_editing_cancelling_and_deleting_from_the_pages(login_as, school):
    client, _ = login_as("principal")
    plan = create_plan(client, school.id, first_day="2098-10-20", last_day="2098-11-17")
    edit_page = client.get(f"/schools/{school.id}/plans/{plan['id']}").get_data(as_text=True)
    assert 'value="Grade 7 PLC"' in edit_page and 'value="2098-10-20"' in edit_page

    assert client.post(f"/schools/{school.id}/plans/{plan['id']}", data={**FORM, "first_day": "2098-10-20",
                                                                          "last_day": "2098-11-17",
                                                                          "cancelled_dates": ""}).status_code == 302
    assert client.post(f"/schools/{school.id}/plans/{plan['id']}/cancel", data={"day": "2098-11-13"}).status_code == 302
    stored = database.session.get(PlannedConversation, plan["id"])
    database.session.refresh(stored)
    assert (stored.name, stored.current.cancelled_dates) == ("Data team", ["2098-11-13"])

    assert client.post(f"/schools/{school.id}/plans/{plan['id']}/cancel", data={"day": "2000-01-03"}).status_code == 422
    assert client.post(f"/schools/{school.id}/plans/{plan['id']}/delete").status_code == 302
    assert f"/plans/{plan['id']}/delete" not in client.get(f"/schools/{school.id}/plans").get_data(as_text=True)
    database.session.refresh(stored)
    assert stored.deleted_at is not None  # kept for its history (tests/coverage/test_plan_removal.py)


def test_viewers_see_the_plans_without_forms_and_may_not_post(login_as, school):
    principal, _ = login_as("principal")
    plan = create_plan(principal, school.id)
    viewer, _ = login_as("viewer")

    page = viewer.get(f"/schools/{school.id}/plans")

    assert page.status_code == 200 and "Grade 7 PLC" in page.get_data(as_text=True)
    assert "<form" not in page.get_data(as_text=True).split("<main", 1)[1]
    assert viewer.post(f"/schools/{school.id}/plans/new", data=FORM).status_code == 403
    assert viewer.post(f"/schools/{school.id}/plans/{plan['id']}/delete").status_code == 403
    assert viewer.post(f"/schools/{school.id}/plans/feed").status_code == 403
    assert plan_count() == 1


def test_the_calendar_link_is_shown_once_and_works(login_as, school, app):
    client, _ = login_as("principal")
    create_plan(client, school.id)

    shown = client.post(f"/schools/{school.id}/plans/feed", follow_redirects=True).get_data(as_text=True)
    url = re.search(r"http://localhost(/plans/feed/[A-Za-z0-9_-]+\.ics)", shown).group(1)
    again = client.get(f"/schools/{school.id}/plans").get_data(as_text=True)

    assert url not in again and "A link is on since" in again
    assert client.get(url).status_code == 200
    client.post(f"/schools/{school.id}/plans/feed/revoke")
    assert client.get(url).status_code == 404


def test_importing_a_calendar_file_shows_a_preview_then_adds_the_plans(login_as, school):
    import io
    from pathlib import Path

    client, _ = login_as("principal")
    ics = (Path(__file__).parent / "calendars" / "google-export.ics").read_bytes()

    preview = client.post(f"/schools/{school.id}/plans/import",
                          data={"file": (io.BytesIO(ics), "leadership.ics")}, content_type="multipart/form-data")

    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "3 plans to add" in page and "Every other Monday, 15:20–16:20" in page
    assert "Coffee with new teachers" in page and plan_count() == 0
    calendar = re.search(r'<textarea name="calendar" hidden aria-hidden="true">(.*?)</textarea>', page, re.S).group(1)
    import html
    confirmed = client.post(f"/schools/{school.id}/plans/import", data={"confirm": "yes", "calendar": html.unescape(calendar)})
    assert confirmed.status_code == 302 and plan_count() == 3


def test_a_file_that_is_not_a_calendar_is_shown_as_a_problem(login_as, school):
    import io

    client, _ = login_as("principal")
    answer = client.post(f"/schools/{school.id}/plans/import", data={"file": (io.BytesIO(b"\x89PNG..."), "photo.png")},
                         content_type="multipart/form-data")
    assert answer.status_code == 422 and "not an iCalendar (.ics) file" in answer.get_data(as_text=True)
    assert plan_count() == 0
