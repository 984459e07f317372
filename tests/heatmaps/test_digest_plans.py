"""How the conversation digest's reads are planned, checked on the statements the views really run,
EXPLAINed with their own parameters: a leader's own conversations with a team are found, not searched for;
a weekday view does not group by period; a busy observer's rows by place are planned for the groups there are.

An observer filter with a team reads the digest's team index, whose key is (school, team, kind, setting,
observer, …). Without the kind and setting named, SQLite read every row of the team to find the
observer's (the phone's 4k of Math's 37k at a 300k school: the filter matrix's worst ratios); with the
closed vocabularies named it seeks the observer in each kind and setting. PostgreSQL seeks them by its
observer index.
"""
from __future__ import annotations

import uuid
from datetime import date

from server.db import insert_rows
from server.heatmaps import digest, rollup
from server.heatmaps.digest import DIGEST
from server.heatmaps.queries import Filters
from tests import factories
from tests.heatmaps.conftest import add_observation, add_walk, get_json
from tests.query_plans import query_plan, statements_run

HALL = "Main hallway"


def digest_reads(db, run) -> list[tuple[str, object]]:
    """The statements on the digest that `run()` executes, with their parameters."""
    def reads_the_digest(statement: str, _executemany: bool) -> bool:
        return "FROM heatmap_conversation" in statement and statement.lstrip().upper().startswith("SELECT")

    with statements_run(db, reads_the_digest) as statements:
        run()
    return statements


def seeks_the_observer(db, statement: str, parameters) -> bool:
    plan = query_plan(db, statement, parameters)
    if db.engine.dialect.name == "sqlite":
        lines = " ".join(plan)
        return "heatmap_conversation" in lines and "observer_id=?" in lines
    conditions = [node.get("Index Cond", "") for node in plan if node.get("Relation Name") == "heatmap_conversation"]
    return bool(conditions) and all("observer_id" in condition for condition in conditions)


def test_an_observer_with_a_team_is_sought_in_the_digest_by_every_view(db, school, login_as):
    client, principal = login_as("principal")
    colleague = factories.create_user("observer", school)
    for observer in (principal, colleague):
        walk = add_walk(db, school, "2026-11-10 08:30", "2026-11-10 09:30", observer=observer)
        add_observation(db, school, "2026-11-10 08:40", HALL, walk, observer=observer, team="Math", kind="plc",
                        setting="formal", levels={"evidence": 1})
    rollup.rebuild()
    db.session.commit()
    filters = {"observer_id": principal.id, "team": "Math"}
    views = [("frequency", {}), ("frequency", {"columns": "weekday"}), ("quality", {}), ("quality", {"by": "week"}),
             ("trends", {}), ("quality", {"conversation_kind": "plc"}), ("frequency", {"setting": "formal"})]
    for path, query in views:
        url = f"/api/v1/heatmaps/schools/{school.id}/{path}"
        reads = digest_reads(db, lambda: get_json(client, url, **filters, **query))
        assert reads, (path, query)
        for statement, parameters in reads:
            assert seeks_the_observer(db, statement, parameters), (path, query, statement)


def test_frequency_by_weekday_sums_each_day_by_place_alone(db, school, login_as):
    """A weekday's column sums its periods, so no read groups by them: grouping each day's rows by period
    too gave SQLite ~10× the rows to sort in the second grouping (a setting at a 300k school: 69 → 44 ms)."""
    client, principal = login_as("principal")
    walk = add_walk(db, school, "2026-11-10 08:30", "2026-11-10 09:30", observer=principal)
    add_observation(db, school, "2026-11-10 08:40", HALL, walk, observer=principal, team="Math", kind="plc",
                    setting="formal", levels={"evidence": 1})
    rollup.rebuild()
    db.session.commit()

    def grouped_reads(statement: str, _executemany: bool) -> bool:
        return statement.lstrip().upper().startswith("SELECT") and "GROUP BY" in statement

    url = f"/api/v1/heatmaps/schools/{school.id}/frequency"
    for filters in ({}, {"setting": "formal"}, {"conversation_kind": "plc"}, {"team": "Math"},
                    {"observer_id": principal.id}, {"setting": "formal", "date_from": "2026-11-01", "date_to": "2026-11-30"}):
        with statements_run(db, grouped_reads) as statements:
            body = get_json(client, url, columns="weekday", **filters)
        assert statements, filters
        for statement, _parameters in statements:
            for grouping in statement.upper().split("GROUP BY")[1:]:
                assert "SLOT" not in grouping.split(")")[0], (filters, statement)
        whole_school = next(row for row in body["rows"] if row["key"] == "all")
        tuesday = next(cell for cell in whole_school["cells"] if cell["column"] == "1")
        assert (tuesday["conversations"], tuesday["hours"]) == (1, 1.0), (filters, whole_school)


def test_a_busy_observers_conversations_by_place_are_planned_for_the_places_there_are(db, school):
    """Quality by place for an observer who logs most of a school's conversations. PostgreSQL estimated the
    groups of (school, place) as every school times every place of the district: at a 300k school 27,000
    groups for 12, so it sorted the observer's 233k rows instead of hashing them, and the sort spilled to
    disk. Migration 0026's statistics give it the pairs there are. SQLite reads the place index, in order."""
    observer, rubric = factories.create_user("observer", school), factories.default_rubric()
    others = [factories.create_school(district=school.district) for _ in range(19)]
    rollup.rebuild()
    bits = digest.TraitBits()
    rows = [digest.digest_row(conversation(school, observer, number % 10, rubric.id), {}, 1, 1, bits)
            for number in range(5000)]
    rows += [digest.digest_row(conversation(other, None, 100 + 10 * index + number % 10, rubric.id), {}, 1, 1, bits)
             for index, other in enumerate(others) for number in range(100)]
    insert_rows(DIGEST, rows)
    db.session.commit()
    pairs = len({(row["school_id"], row["location_id"]) for row in rows})
    filters = Filters(school_ids=(school.id,), observer_id=observer.id, rubric_id=rubric.id)
    reads = digest_reads(db, lambda: digest.trait_tallies(filters, [trait.id for trait in rubric.traits], "place", None))
    assert reads
    for statement, parameters in reads:
        plan = query_plan(db, statement, parameters, analyzed="heatmap_conversation")
        if db.engine.dialect.name == "sqlite":
            assert not any("TEMP B-TREE" in line for line in plan), plan
            continue
        assert plan[0]["Node Type"] == "Aggregate", plan[0]  # nothing above the grouping: its rows are the groups
        assert plan[0]["Plan Rows"] <= pairs, (plan[0]["Plan Rows"], pairs)


def conversation(school, observer, place: int, rubric_id: int) -> dict:
    """An observation as digest.digest_row reads it: a chat in the hallway on one day."""
    return {"id": uuid.uuid4(), "school_id": school.id, "local_date": date(2026, 11, 10), "location_id": place,
            "setting": "informal", "conversation_kind": "hallway_chat", "team": None,
            "observer_id": observer.id if observer else None, "rubric_id": rubric_id}
