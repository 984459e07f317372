"""Coverage figures against the hand-computed term in conftest.py (both engines)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from server.coverage.service import school_coverage
from tests import factories
from tests.coverage.conftest import local, log, make_plan


def marks(plan) -> list[tuple[str, str, str | None, int]]:
    return [(m.day.isoformat(), m.status, m.outcome, m.logs) for m in plan.marks]


def test_each_occurrence_is_marked_as_worked_out_by_hand(coverage_school):
    school, _plc, _team = coverage_school
    summary = school_coverage(school)
    plc, team = summary.plans  # by name
    assert (plc.name, team.name) == ("Grade 7 PLC", "Math data team")
    assert marks(plc) == [("2026-10-20", "heard", None, 3), ("2026-10-27", "checked", "not_held", 0),
                          ("2026-11-03", "heard", None, 1), ("2026-11-10", "cancelled", None, 0),
                          ("2026-11-17", "not_checked", None, 0)]
    assert marks(team) == [("2026-10-22", "checked", "not_learning", 0), ("2026-11-05", "heard", None, 1),
                           ("2026-11-19", "not_checked", None, 0)]


def test_the_dst_week_keeps_the_meeting_at_its_wall_clock_time(coverage_school):
    school, _plc, _team = coverage_school
    plc = school_coverage(school).plans[0]
    starts = {m.day.isoformat(): m.local_start for m in plc.marks if m.local_start}
    assert starts["2026-10-27"].isoformat() == "2026-10-27T15:00:00-05:00"
    assert starts["2026-11-03"].isoformat() == "2026-11-03T15:00:00-06:00"


def test_checked_k_of_n_and_happened_j_of_k_with_wilson_intervals(coverage_school):
    school, _plc, _team = coverage_school
    summary = school_coverage(school)
    plc, team = summary.plans
    assert (plc.checked.count, plc.checked.n, plc.happened.count, plc.happened.n) == (3, 4, 2, 3)
    assert plc.happened.low == pytest.approx(0.20766, abs=1e-4) and plc.happened.high == pytest.approx(0.93851, abs=1e-4)
    assert not plc.happened.few
    assert (plc.counts["not_held"], plc.counts["cancelled"], plc.counts["not_checked"], plc.logs) == (1, 1, 1, 4)
    assert (team.checked.count, team.checked.n, team.happened.count, team.happened.n) == (2, 3, 1, 2)
    assert team.happened.few and team.counts["not_learning"] == 1
    assert (summary.checked.count, summary.checked.n, summary.happened.count, summary.happened.n) == (5, 7, 3, 5)
    assert summary.happened.low == pytest.approx(0.23072, abs=1e-4)
    assert summary.never_checked == 0 and summary.weeks[0] == date(2026, 10, 19) and summary.weeks[-1] == date(2026, 11, 16)


def test_trait_shares_count_only_the_logs_that_stand_for_a_conversation(coverage_school):
    school, _plc, _team = coverage_school
    traits = {t.key: t for t in school_coverage(school).plans[0].traits}
    assert (traits["evidence"].share.count, traits["evidence"].share.n, traits["evidence"].strong) == (2, 3, 1)
    assert (traits["action"].share.count, traits["action"].share.n) == (1, 3)
    assert (traits["substantive"].share.count, traits["substantive"].share.n) == (3, 3)
    assert [key for key, t in traits.items() if t.focus] == ["evidence", "action"]


def test_trait_shares_read_from_the_built_heatmap_digest_equal_the_raw_rows(coverage_school, db):
    """Once the school's rollup is built, the shares come from its digest (one packed row per counted log):
    the same hand-computed figures as from the raw trait levels, for every plan and trait."""
    from server.coverage import queries
    from server.heatmaps import rollup

    school, _plc, _team = coverage_school
    before = {(p.plan_id, t.key): (t.share.count, t.share.n, t.strong) for p in school_coverage(school).plans for t in p.traits}
    db.session.flush()
    rollup.rebuild(school.id)
    assert school.id in rollup.built_schools([school.id])
    after = {(p.plan_id, t.key): (t.share.count, t.share.n, t.strong) for p in school_coverage(school).plans for t in p.traits}
    assert after == before
    traits = {key: value for (_plan, key), value in after.items() if _plan == _plc.id}
    assert traits["evidence"] == (2, 3, 1) and traits["action"] == (1, 3, 0) and traits["substantive"] == (3, 3, 0)
    rubric = factories.default_rubric()
    ids = [trait.id for trait in rubric.traits]
    start, end = date(2026, 10, 1), date(2026, 11, 30)
    assert queries.trait_tallies(school.id, start, end, rubric.id, ids) == queries._raw_trait_tallies(school.id, start, end, ids)


def test_follow_ups_of_the_plans_logs_and_their_outcomes(coverage_school):
    school, _plc, _team = coverage_school
    plc, team = school_coverage(school).plans
    tally = plc.follow_ups
    assert (tally.opened, tally.on_time + tally.late, tally.open, tally.overdue) == (2, 1, 1, 1)
    assert (plc.changed_practice.count, plc.changed_practice.n) == (1, 1)
    assert team.follow_ups.opened == 0


def test_an_occurrence_not_yet_started_is_upcoming_unless_something_names_it(coverage_school):
    school, _plc, _team = coverage_school
    now = local(school, "2026-11-03 14:59")
    plc, team = school_coverage(school, now=now).plans
    assert [m.status for m in plc.marks] == ["heard", "checked", "heard", "cancelled", "upcoming"]  # 3 Nov was heard
    assert [m.status for m in team.marks] == ["checked", "heard", "upcoming"]
    assert (plc.checked.n, team.checked.n) == (3, 2)


def test_a_range_narrows_to_its_local_days(coverage_school):
    school, _plc, _team = coverage_school
    summary = school_coverage(school, date(2026, 10, 26), date(2026, 11, 4))
    assert [marks(p) for p in summary.plans] == [[("2026-10-27", "checked", "not_held", 0), ("2026-11-03", "heard", None, 1)], []]
    assert summary.plans[0].logs == 1 and summary.weeks == [date(2026, 10, 26), date(2026, 11, 2)]


def test_a_school_in_another_zone_is_read_on_its_own_clock(db):
    """Berlin leaves summer time on 25 Oct 2026, a week before Chicago; the server's zone never matters."""
    school = factories.create_school(timezone="Europe/Berlin")
    school.min_cell_n = 1
    principal = factories.create_user("principal", school)
    plan = make_plan(school, principal, "Coaching", weekdays=[0], starts_at="08:00", ends_at="08:45",
                     first_day="2026-10-19", last_day="2026-11-02")
    log(db, school, principal, plan, "2026-10-26 08:05", {"evidence": 1})
    db.session.commit()
    summary = school_coverage(school, now=datetime(2026, 10, 27, 12, tzinfo=timezone.utc))
    (coverage,) = summary.plans
    assert [(m.day.isoformat(), m.status, m.local_start.isoformat()) for m in coverage.marks] == [
        ("2026-10-19", "not_checked", "2026-10-19T08:00:00+02:00"),
        ("2026-10-26", "heard", "2026-10-26T08:00:00+01:00"),
        ("2026-11-02", "upcoming", "2026-11-02T08:00:00+01:00")]
    assert (coverage.checked.count, coverage.checked.n, coverage.happened.count) == (1, 2, 1)


def test_a_log_linked_to_a_day_the_plan_does_not_meet_makes_no_occurrence(coverage_school, db):
    school, plc, _team = coverage_school
    observer = factories.create_user("observer", school)
    log(db, school, observer, plc, "2026-10-21 15:00", {}, day="2026-10-21")
    db.session.commit()
    assert [m.day.isoformat() for m in school_coverage(school).plans[0].marks] == [
        "2026-10-20", "2026-10-27", "2026-11-03", "2026-11-10", "2026-11-17"]


def test_another_schools_logs_and_checks_never_count(coverage_school, other_school, db):
    school, plc, _team = coverage_school
    stranger = factories.create_user("observer", other_school)
    log(db, other_school, stranger, plc, "2026-11-17 15:10", {})
    db.session.commit()
    assert school_coverage(school).plans[0].marks[-1].status == "not_checked"


def test_a_school_without_plans_has_an_empty_summary(db, school):
    summary = school_coverage(school)
    assert summary.plans == [] and summary.checked.n == 0 and (summary.end - summary.start).days == 83
