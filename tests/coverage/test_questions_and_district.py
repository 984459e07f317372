"""Coverage in the rest of the product: the dashboard's questions (only where n supports it) and the district view."""
from __future__ import annotations

from server.coverage import questions
from server.coverage.service import school_coverage
from tests import factories


def test_the_plan_that_happens_least_is_asked_about_with_its_interval(coverage_school):
    school, _plc, _team = coverage_school
    asked = questions.ask(school_coverage(school))
    assert [q.finding for q in asked] == [
        "The Grade 7 PLC was checked 3 times this term and happened twice (67%, 95% interval 21%–94%)."]


def test_no_question_rests_on_fewer_checks_than_the_schools_minimum(coverage_school, db):
    school, _plc, _team = coverage_school
    school.min_cell_n = 4
    db.session.commit()
    assert questions.ask(school_coverage(school)) == []


def test_plans_due_often_and_never_checked_are_named(db, school):
    school.min_cell_n = 2
    principal = factories.create_user("principal", school)
    from tests.coverage.conftest import make_plan
    make_plan(school, principal, "Science data team")
    db.session.commit()
    (asked,) = questions.ask(school_coverage(school))
    assert asked.finding == "1 planned conversation was due at least 2 times this term and never checked: Science data team."


def test_the_dashboard_lists_the_coverage_question(login_as, coverage_school):
    school, _plc, _team = coverage_school
    client, _ = login_as("viewer")
    html = client.get(f"/schools/{school.id}/dashboard").get_data(as_text=True)
    assert "The Grade 7 PLC was checked 3 times this term and happened twice" in html


def test_the_district_view_shows_each_schools_coverage(login_as, coverage_school):
    school, _plc, _team = coverage_school
    client, _ = login_as("district_admin")
    assert f'href="/district/{school.district_id}/coverage"' in client.get(f"/district/{school.district_id}").get_data(as_text=True)
    html = client.get(f"/district/{school.district_id}/coverage").get_data(as_text=True)
    row = html[html.index('id="district-coverage"'):]
    assert f'href="/schools/{school.id}/dashboard/coverage">{school.name}</a>' in row
    assert "5 of 7 (71%)" in row and "3 of 5" in row


def test_the_district_coverage_page_is_for_district_admins(login_as, coverage_school):
    school, _plc, _team = coverage_school
    principal, _ = login_as("principal")
    assert principal.get(f"/district/{school.district_id}/coverage").status_code == 403
