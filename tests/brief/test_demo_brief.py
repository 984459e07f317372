"""The demo principal and district admin open the brief for the demo's last two weeks: numbers, 3–5
questions each tied to its number, and a PDF; the district admin sees both schools side by side."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from server.db import db as database
from server.demo import DEMO_PASSWORD
from server.extensions import limiter
from server.observations.models import Observation
from server.schools.models import School
from tests.conftest import ApiClient
from tests.test_demo import demo  # noqa: F401  (the shared demo load, once per engine)


def signed_in(app, email):
    app.test_client_class = ApiClient
    limiter.reset()
    client = app.test_client()
    assert client.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD}).status_code == 200
    return client


def last_two_weeks() -> dict:
    """The demo's last two weeks that have happened (its semester ends on the day it is loaded)."""
    latest = database.session.scalar(select(func.max(Observation.local_date)))
    end = min(latest, datetime.now(timezone.utc).date() - timedelta(days=1))
    return {"start": (end - timedelta(days=13)).isoformat(), "end": end.isoformat()}


def test_demo_principal_opens_and_prints_the_brief(app, demo):  # noqa: F811
    with app.app_context():
        period = last_two_weeks()
        lincoln = database.session.scalar(select(School.id).where(School.name == "Lincoln Middle School"))
    client = signed_in(app, "principal@lincoln.demo")
    body = client.get(f"/api/v1/brief/schools/{lincoln}", query_string=period).get_json()
    assert body["version"] == "leadership" and body["numbers"]["conversations"] > 50
    assert 3 <= len(body["questions"]) <= 5
    assert all(any(ch.isdigit() for ch in q["finding"]) for q in body["questions"])  # each tied to its number
    assert body["observers"] and len(body["results"]) == 2
    assert [s["key"] for s in body["sections"]] == ["coverage", "calibration"]  # both features slot in with data
    staff = client.get(f"/api/v1/brief/schools/{lincoln}", query_string={**period, "version": "staff"}).get_json()
    cells = [cell for section in staff["sections"] for row in section["rows"] for cell in row]
    assert cells and not any("too few" in cell for cell in cells)  # the staff version shows no share under min n
    page = client.get(f"/schools/{lincoln}/brief", query_string=period)
    assert page.status_code == 200 and "Questions worth discussing" in page.get_data(as_text=True)
    pdf = client.get(f"/schools/{lincoln}/brief.pdf", query_string={**period, "paper": "letter"})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert date.fromisoformat(body["start"]) == date.fromisoformat(period["start"])


def test_demo_district_admin_gets_both_schools_side_by_side(app, demo):  # noqa: F811
    with app.app_context():
        period = last_two_weeks()
    client = signed_in(app, "district@maplevalley.demo")
    found = [link for link in client.get("/schools").get_data(as_text=True).split('"') if link.startswith("/district/")]
    district_id = int(found[0].split("/")[2])
    body = client.get(f"/api/v1/brief/districts/{district_id}", query_string=period).get_json()
    assert [s["name"] for s in body["schools"]] == ["Lincoln Middle School", "Riverside High School"]
    assert all(s["numbers"]["conversations"] > 0 for s in body["schools"]) and 2 <= len(body["questions"]) <= 5
    assert client.get(f"/district/{district_id}/brief.pdf", query_string=period).status_code == 200
