"""A new school starts on a default bell schedule (a typical US six-period day) that its principal
is asked to check; "Where and when" by period says so when a school has no schedule at all."""
import html
import re

import pytest
from sqlalchemy import delete, select

from server.schools import service
from server.schools.models import Period, School

PROMPT = "This school uses the default bell schedule"
NO_SCHEDULE = "This school has no bell schedule yet"
DEFAULT_DAY = [("Before school", "07:30", "08:00"), ("Period 1", "08:00", "08:55"), ("Period 2", "09:00", "09:55"),
               ("Period 3", "10:00", "10:55"), ("Period 4", "11:00", "11:55"), ("Lunch", "12:00", "12:30"),
               ("Period 5", "12:35", "13:30"), ("Period 6", "13:35", "14:30"), ("After school", "14:30", "16:00")]


def schedule_of(db, school_id: int) -> list[tuple[str, str, str]]:
    db.session.expire_all()
    rows = db.session.scalars(select(Period).where(Period.school_id == school_id).order_by(Period.starts_at))
    return [(p.name, f"{p.starts_at:%H:%M}", f"{p.ends_at:%H:%M}") for p in rows]


def text_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


@pytest.fixture()
def new_school(db, login_as, school):
    """A school a district admin adds through the API, and that admin's client."""
    admin, _ = login_as("district_admin")
    created = admin.post("/api/v1/schools", json={"name": "Jefferson High", "timezone": "America/Chicago"})
    assert created.status_code == 201
    return db.session.get(School, created.get_json()["id"]), admin


def test_cli_create_school_starts_with_the_default_schedule(runner, db):
    result = runner.invoke(args=["create-school", "--district", "Maple Valley", "--name", "Adams Middle",
                                 "--timezone", "America/New_York"])
    assert result.exit_code == 0, result.output
    school = db.session.scalar(select(School).where(School.name == "Adams Middle"))
    assert schedule_of(db, school.id) == DEFAULT_DAY
    assert school.schedule_confirmed is False
    assert "check" in result.output


def test_api_created_school_starts_with_the_default_schedule_unchecked(db, new_school):
    school, _ = new_school
    assert schedule_of(db, school.id) == DEFAULT_DAY
    assert school.schedule_confirmed is False


def test_the_default_day_has_passing_time_and_no_overlaps():
    periods = service.default_periods()
    assert all(a["ends_at"] <= b["starts_at"] for a, b in zip(periods, periods[1:]))
    gaps = [b["starts_at"] != a["ends_at"] for a, b in zip(periods, periods[1:])]
    assert any(gaps)  # "Between periods" exists, where hallway talk happens


@pytest.mark.parametrize("page", ["/schools/{id}", "/schools/{id}/dashboard"])
def test_new_school_pages_ask_the_principal_to_check_the_schedule(db, new_school, login_as, page):
    school, admin = new_school
    principal, _ = login_as("principal", target_school=school)
    for client in (admin, principal):
        text = text_of(client, page.format(id=school.id))
        assert PROMPT in text and "check it" in text
        if page.endswith("dashboard"):
            assert f'href="/schools/{school.id}#schedule"' in text
        else:  # the schedule is right there
            assert "Check the periods below against your bells and save them" in text


def test_viewers_are_not_asked_to_check_a_schedule_they_cannot_change(db, new_school, login_as):
    school, _ = new_school
    viewer, _ = login_as("viewer", target_school=school)
    assert PROMPT not in text_of(viewer, f"/schools/{school.id}/dashboard")


def test_saving_the_schedule_unchanged_confirms_it_and_the_prompt_goes(db, new_school):
    school, admin = new_school
    page = admin.get(f"/schools/{school.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    rows = {"name": [n for n, _, _ in DEFAULT_DAY], "starts_at": [s for _, s, _ in DEFAULT_DAY],
            "ends_at": [e for _, _, e in DEFAULT_DAY]}
    saved = admin.post(f"/schools/{school.id}/schedule", data={"csrf_token": token, **rows}, csrf=False)
    assert saved.status_code == 302
    assert db.session.get(School, school.id).schedule_confirmed is True
    assert schedule_of(db, school.id) == DEFAULT_DAY
    for url in (f"/schools/{school.id}", f"/schools/{school.id}/dashboard"):
        assert PROMPT not in text_of(admin, url)


def test_saving_the_schedule_through_the_api_confirms_it(db, new_school):
    school, admin = new_school
    day = [{"name": n, "starts_at": s, "ends_at": e} for n, s, e in DEFAULT_DAY[:3]]
    assert admin.put(f"/api/v1/schools/{school.id}/periods", json=day).status_code == 200
    assert db.session.get(School, school.id).schedule_confirmed is True
    assert PROMPT not in text_of(admin, f"/schools/{school.id}/dashboard")


def test_a_refused_schedule_leaves_it_unchecked(db, new_school):
    school, admin = new_school
    overlapping = [{"name": "A", "starts_at": "08:00", "ends_at": "09:00"}, {"name": "B", "starts_at": "08:30", "ends_at": "09:30"}]
    assert admin.put(f"/api/v1/schools/{school.id}/periods", json=overlapping).status_code == 422
    assert db.session.get(School, school.id).schedule_confirmed is False


@pytest.mark.parametrize("role, words", [("principal", "Set the bell schedule"), ("viewer", "Ask a principal to set it")])
def test_where_and_when_by_period_without_a_schedule_says_why_and_where_to_set_it(db, school, login_as, role, words):
    db.session.execute(delete(Period).where(Period.school_id == school.id))
    db.session.commit()
    client, _ = login_as(role)
    text = text_of(client, f"/schools/{school.id}/dashboard/frequency?columns=period")
    assert NO_SCHEDULE in text and words in text
    assert (f'href="/schools/{school.id}#schedule"' in text) == (role == "principal")
    assert NO_SCHEDULE not in text_of(client, f"/schools/{school.id}/dashboard/frequency?columns=weekday")


def test_a_school_with_its_own_schedule_gets_no_prompt(db, school, login_as):
    client, _ = login_as("principal")
    for url in (f"/schools/{school.id}", f"/schools/{school.id}/dashboard", f"/schools/{school.id}/dashboard/frequency"):
        text = text_of(client, url)
        assert PROMPT not in text and NO_SCHEDULE not in text

