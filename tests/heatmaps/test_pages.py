"""The dashboard pages: readable without JavaScript, accessible tables, filters in the URL, strict CSP."""
from __future__ import annotations

import re

import pytest

from tests.heatmaps.conftest import add_observation, add_walk

HALL, ROOM = "Main hallway", "Room 204 (PLC)"
PAGES = ["dashboard", "dashboard/frequency", "dashboard/quality", "dashboard/trends"]


@pytest.fixture()
def semester(db, school):
    """Two weeks of walks: enough conversations for questions worth discussing."""
    for day in ("2026-11-09", "2026-11-10", "2026-11-11", "2026-11-16", "2026-11-17"):
        walk = add_walk(db, school, f"{day} 08:10", f"{day} 09:50")
        for minute, place, kind, levels in ((15, HALL, "hallway_chat", {"people": 1}),
                                            (30, HALL, "hallway_chat", {"substantive": 1, "people": 2}),
                                            (70, ROOM, "plc", {"substantive": 2, "evidence": 1, "action": 1}),
                                            (80, ROOM, "data_team", {"substantive": 1, "evidence": 2})):
            setting = "formal" if kind in ("plc", "data_team") else "informal"
            add_observation(db, school, f"{day} 08:{minute:02d}" if minute < 60 else f"{day} 09:{minute - 60:02d}",
                            place, walk, levels, setting=setting, kind=kind, team="Grade 7")
    db.session.commit()
    return school


def html_of(client, url: str, **params) -> str:
    response = client.get(url, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_script_or_style(login_as, semester, path):
    client, _ = login_as("principal")
    html = html_of(client, f"/schools/{semester.id}/{path}")

    assert "<script" not in html
    assert "style=" not in html


@pytest.mark.parametrize("path", ["dashboard/frequency", "dashboard/quality", "dashboard/trends"])
def test_each_heatmap_is_an_accessible_table_with_the_number_in_each_cell(login_as, semester, path):
    client, _ = login_as("viewer")
    html = html_of(client, f"/schools/{semester.id}/{path}")

    assert "<caption" in html
    assert 'scope="col"' in html and 'scope="row"' in html
    assert re.search(r'class="hm-value">[0-9.]+%?</span><span class="hm-n">n \d+</span>', html)
    assert "print.css" in html and 'media="print"' in html


def test_the_overview_asks_questions_worth_discussing(login_as, semester):
    client, _ = login_as("principal")
    html = html_of(client, f"/schools/{semester.id}/dashboard")

    assert "Questions worth discussing" in html
    assert "is the rarest trait" in html
    assert "formal meetings" in html


def test_filters_live_in_the_url_and_survive_switching_views(login_as, semester):
    client, _ = login_as("principal")
    html = html_of(client, f"/schools/{semester.id}/dashboard/quality", setting="formal", by="team")

    assert f'href="/schools/{semester.id}/dashboard/frequency?setting=formal"' in html
    assert f'href="/schools/{semester.id}/dashboard/quality?setting=formal&amp;by=place' in html
    assert '<option value="formal" selected>' in html
    assert 'method="get"' in html


def test_empty_too_few_and_coloured_cells_look_different(login_as, semester):
    client, _ = login_as("principal")
    html = html_of(client, f"/schools/{semester.id}/dashboard/frequency")

    assert "hm-empty" in html and "hm-few" in html and re.search(r"hm-step-\d", html)
    assert "Too few to read (n under 5)" in html


def test_a_cell_title_gives_the_interval_strong_share_and_mean(login_as, semester):
    client, _ = login_as("principal")
    html = html_of(client, f"/schools/{semester.id}/dashboard/quality", by="setting")

    assert re.search(r'title="Evidence · Formal: heard in 10 of 10 conversations \(100%, 95% interval 72%–100%\); '
                     r'strong in 5 \(50%\); mean level 1.50\."', html)


def test_trends_draw_one_inline_svg_chart_per_trait(login_as, semester):
    client, _ = login_as("principal")
    html = html_of(client, f"/schools/{semester.id}/dashboard/trends")

    assert html.count('class="trend__chart"') == 7
    assert "<polyline" in html and "Week of Mon 9 Nov 2026: 75% of 12" in html


def test_bad_filters_on_a_page_are_a_clear_422_as_in_the_api(login_as, semester):
    client, _ = login_as("principal")
    response = client.get(f"/schools/{semester.id}/dashboard/quality", query_string={"by": "mood"})

    assert response.status_code == 422
    assert "The columns “mood” is not one of the choices" in response.get_data(as_text=True)


def test_empty_form_fields_mean_no_filter(login_as, semester):
    client, _ = login_as("principal")
    html = html_of(client, f"/schools/{semester.id}/dashboard/quality", date_from="", setting="", team="")

    assert "n 20" in html


def test_the_district_page_shows_both_tables_for_the_district_admin(login_as, semester):
    client, _ = login_as("district_admin")
    html = html_of(client, f"/district/{semester.district_id}")

    assert "Which traits are heard, school by school" in html
    assert "How often conversations are heard" in html
    assert "Lincoln Middle School" in html


def test_signed_out_visitors_are_sent_to_sign_in(client, semester):
    response = client.get(f"/schools/{semester.id}/dashboard")

    assert response.status_code in (302, 401)


OVERFLOWING_DAYS = [("date_to", "9999-12-31"), ("date_from", "9999-12-31"), ("date_from", "0001-01-01"),
                    ("date_to", "0001-01-01")]


def test_a_date_that_would_overflow_is_a_422_on_every_dashboard_page_and_csv_for_every_role(app, login_as, semester):
    """Issue 14 point 19: a day added to 9999-12-31 (or taken from 0001-01-01) was a 500."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("heatmaps.")]
    assert len(rules) >= 11
    failures = []
    for role in ("district_admin", "principal", "observer", "viewer"):
        client, _ = login_as(role)
        for rule in rules:
            url = rule.rule.replace("<int:school_id>", str(semester.id)).replace("<int:district_id>", str(semester.district_id))
            baseline = client.get(url).status_code
            for name, value in OVERFLOWING_DAYS:
                response = client.get(url, query_string={name: value})
                expected = {422} if baseline == 200 else {baseline, 422}
                if response.status_code not in expected:
                    failures.append(f"{role} GET {url}?{name}={value} → {response.status_code} (without it: {baseline})")
                elif response.status_code == 422 and "Must be a day from 2000-01-01" not in response.get_data(as_text=True):
                    failures.append(f"{role} GET {url}?{name}={value}: the 422 does not say which days are allowed")
    assert failures == []
