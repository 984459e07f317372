"""Every statement a sync runs reaches the growing tables through an index, never by a full scan.

A sync batch recomputes a few school-days of the rollup; if any statement of that upkeep (or of the
sync itself) scanned a whole table, each sync would slow down as the district's data grows, which no
small test notices by time. So the statements of real syncs are captured and each is EXPLAINed with
its own parameters: on SQLite no `SCAN` of a growing table; on PostgreSQL, with sequential scans
priced out, no sequential scan and no index scan without an index condition. (PostgreSQL's plan shows
a condition on a later column of a key as an index condition too, though it reads the whole index,
so the SQLite leg is the stricter one.)
"""
from __future__ import annotations

import re

import pytest

from server.heatmaps import rollup
from tests.query_plans import query_plan, statements_run
from tests.sync.conftest import deletion_record, observation_record, statuses, sync, walk_record

GROWING = ("observation", "observation_trait_level", "walk", "follow_up", "heatmap_trait_day",
           "heatmap_trait_week", "heatmap_place_day", "heatmap_school_day")
PLANNED = re.compile(r"^\s*(SELECT|DELETE|UPDATE|WITH)\b|^\s*INSERT\b.*\bSELECT\b", re.IGNORECASE | re.DOTALL)


@pytest.fixture()
def captured(db):
    """The single statements (not executemany) run while the test syncs, with their parameters."""
    with statements_run(db, lambda statement, executemany: not executemany and bool(PLANNED.match(statement))) as statements:
        yield statements


def full_scans(db, statement: str, parameters) -> list[str]:
    """The growing tables this statement would read whole."""
    plan = query_plan(db, statement, parameters)
    if db.engine.dialect.name == "sqlite":
        pattern = re.compile(rf"^SCAN ({'|'.join(GROWING)})\b")
        return [line for line in plan if pattern.match(line)]
    return [f"{node['Node Type']} on {node['Relation Name']}" for node in plan
            if node.get("Relation Name") in GROWING
            and (node["Node Type"] == "Seq Scan" or ("Index" in node["Node Type"] and "Index Cond" not in node))]


def test_a_sync_and_its_rollup_upkeep_never_scan_a_growing_table(db, school, login_as, captured):
    rollup.rebuild(school.id)
    db.session.commit()
    client, _ = login_as("observer")
    walk = walk_record()
    first = observation_record(school, walk_id=walk["id"])
    second = observation_record(school, walk_id=walk["id"], observed_at="2026-11-24T08:30:00-06:00",
                                location_id=school.locations[1].id)
    assert statuses(sync(client, school.id, walk, first, second)) == ["stored"] * 3
    edited = {**first, "version": 2, "trait_levels": {"action": 2}, "observed_at": "2026-11-23T09:00:00-06:00"}
    ended = {**walk, "version": 2, "ended_at": "2026-11-24T09:10:00-06:00"}
    assert statuses(sync(client, school.id, ended, edited, deletion_record(second["id"], 2))) == ["stored"] * 3

    assert any("heatmap_trait_day" in statement for statement, _ in captured), "the rollup upkeep ran"
    scans = {statement: found for statement, parameters in captured
             if (found := full_scans(db, statement, parameters))}
    assert not scans, "\n\n".join(f"{found}: {statement}" for statement, found in scans.items())


DAY_READ = re.compile(r"\bFROM\s+observation\b.*\bobservation\.local_date\b|\bJOIN\s+observation\b.*\bobservation\.local_date\b",
                      re.IGNORECASE | re.DOTALL)


def test_edits_deletions_and_late_logs_read_no_other_conversation_of_their_days(db, school, login_as, captured):
    """Issue 15: an edit, a deletion or a log joining an earlier walk moves the rollup by what it changes
    (the old version's contributions out, the new one's in), so the upkeep reads those records and their
    walks by id. Recomputing their school-days re-read every conversation of each day (200 edits spread
    over a year: the whole school, 4–6 s a batch)."""
    client, _ = login_as("observer")
    walk = walk_record()
    logged = [observation_record(school, walk_id=walk["id"] if index % 2 else None,
                                 observed_at=f"2026-11-{10 + index % 5}T08:{10 + index:02d}:00-06:00")
              for index in range(10)]
    assert statuses(sync(client, school.id, walk, *logged)) == ["stored"] * 11
    rollup.rebuild(school.id)
    db.session.commit()
    captured.clear()

    edited = [{**record, "version": 2, "team": "Math", "trait_levels": {"action": 2}} for record in logged[:3]]
    moved = {**logged[3], "version": 2, "observed_at": "2026-11-12T09:30:00-06:00", "location_id": school.locations[1].id}
    late = observation_record(school, walk_id=walk["id"], observed_at="2026-11-24T08:55:00-06:00")
    assert statuses(sync(client, school.id, *edited, moved, deletion_record(logged[4]["id"], 2), late)) == ["stored"] * 6

    assert any("heatmap_trait_day" in statement for statement, _ in captured), "the rollup upkeep ran"
    day_reads = [statement for statement, _ in captured if DAY_READ.search(statement)]
    assert not day_reads, "\n\n".join(day_reads)
    scans = {statement: found for statement, parameters in captured if (found := full_scans(db, statement, parameters))}
    assert not scans, "\n\n".join(f"{found}: {statement}" for statement, found in scans.items())
