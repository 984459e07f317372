"""How the conversation digest's reads are planned, checked on the statements the views really run,
EXPLAINed with their own parameters: a leader's own conversations with a team are found, not searched for;
a weekday view does not group by period; a busy observer's rows by place are planned for the groups there are.

An observer filter with a team reads the digest's team index, whose key is (school, team, kind, observer,
…). Without the kinds named, SQLite read every row of the team to find the observer's (the phone's 4k
of Math's 37k at a 300k school: the filter matrix's worst ratios); with the closed vocabulary named it
seeks the observer in each kind. PostgreSQL's observer index is (school, observer, kind, setting, day,
…): with the kinds and settings before a filtered column named, a kind, a setting or a range of days
is sought among the observer's rows.
"""
from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import text

from server.db import SUMMING_WORK_MEM, insert_rows
from server.heatmaps import digest, rollup
from server.heatmaps.digest import DIGEST
from server.heatmaps.queries import CONVERSATIONS, Filters
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


def test_an_observers_kind_setting_or_day_is_sought_not_read_through(db, school):
    """A phone's observer holds ~35k of a 300k school's conversations: PostgreSQL read them all to keep one
    kind's (10 of the filter matrix's 35 phone cells over half the hand-written query). Here the observer
    holds 10,000 hallway chats and 20 PLCs on a day when a colleague held 3,000 PLCs: reading the observer's
    PLCs, formal talk or that day must touch a fraction of the pages all the observer's rows fill, whichever
    index the planner takes. SQLite names its index (digest.index_for) and seeks the kind there."""
    observer, colleague = factories.create_user("observer", school), factories.create_user("observer", school)
    rubric = factories.default_rubric()
    rollup.rebuild()
    bits = digest.TraitBits()
    day = date(2026, 11, 20)
    # each at its own place, so no two index keys are equal: PostgreSQL keeps equal keys as one entry,
    # and a read through them would touch few pages
    chats = [conversation(school, observer, number, rubric.id, day=date(2026, 11, 1 + number % 10))
             for number in range(10_000)]
    theirs = [conversation(school, colleague, number, rubric.id, day, "formal", "plc") for number in range(3000)]
    mine = [conversation(school, observer, number, rubric.id, day, "formal", "plc") for number in range(20)]
    insert_rows(DIGEST, [digest.digest_row(row, {}, 1, 1, bits) for row in chats + theirs + mine])
    db.session.commit()
    narrowed = {"kind": {"conversation_kind": "plc"}, "setting": {"setting": "formal"},
                "day": {"date_from": day, "date_to": day}}
    traits = [trait.id for trait in rubric.traits]
    on_sqlite = db.engine.dialect.name == "sqlite"

    def reads_of(**narrowing) -> list[tuple[str, object]]:
        filters = Filters(school_ids=(school.id,), observer_id=observer.id, rubric_id=rubric.id, **narrowing)
        return digest_reads(db, lambda: (digest.trait_tallies(filters, traits, "place", None),
                                         digest.heard(school.id, filters, False)))

    whole = None if on_sqlite else max(index_pages_read(db, *read) for read in reads_of())
    for name, narrowing in narrowed.items():
        reads = reads_of(**narrowing)
        assert reads, name
        for statement, parameters in reads:
            if on_sqlite:
                plan = " ".join(query_plan(db, statement, parameters))
                assert name != "kind" or "kind=?" in plan, plan
                continue
            pages = index_pages_read(db, statement, parameters)
            assert pages <= whole / 3, (name, pages, whole, statement)


def index_pages_read(db, statement: str, parameters) -> int:
    """PostgreSQL: the digest's pages a statement touches, run with fresh statistics and sequential scans
    priced out (this digest is small enough to read whole; a school's is not)."""
    plan = query_plan(db, statement, parameters, analyzed="heatmap_conversation", run=True)
    return sum(node["Shared Hit Blocks"] + node["Shared Read Blocks"] for node in plan
               if node.get("Relation Name") == "heatmap_conversation")


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


def test_a_busy_observers_rows_are_estimated_as_many_as_they_are(db, school):
    """PostgreSQL took a school and an observer as independent: at a 300k school it guessed 88k rows for an
    observer holding 233k, and planned a sort of the fewer rows that spilled to disk. Migration 0029's
    statistics count the pairs there are. Here one observer holds 4,000 of a school's 5,000 conversations
    in a district of 20,000: independence would guess ~1,000."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite keeps no statistics of column pairs to check")
    observer, colleague = factories.create_user("observer", school), factories.create_user("observer", school)
    rubric = factories.default_rubric()
    others = [factories.create_school(district=school.district) for _ in range(15)]
    rollup.rebuild()
    bits = digest.TraitBits()
    people = [observer] * 4000 + [colleague] * 1000
    rows = [digest.digest_row(conversation(school, person, number % 10, rubric.id), {}, 1, 1, bits)
            for number, person in enumerate(people)]
    for index, other in enumerate(others):
        theirs = factories.create_user("observer", other)
        rows += [digest.digest_row(conversation(other, theirs, 100 + index, rubric.id), {}, 1, 1, bits) for _ in range(1000)]
    insert_rows(DIGEST, rows)
    db.session.commit()
    filters = Filters(school_ids=(school.id,), observer_id=observer.id, rubric_id=rubric.id)
    reads = digest_reads(db, lambda: digest.trait_tallies(filters, [trait.id for trait in rubric.traits], "all", "day"))
    assert reads
    for statement, parameters in reads:
        plan = query_plan(db, statement, parameters, analyzed="heatmap_conversation")
        scans = [node for node in plan if node.get("Relation Name") == "heatmap_conversation"]
        assert scans and all(node["Plan Rows"] >= 3000 for node in scans), scans


def conversation(school, observer, place: int, rubric_id: int, day: date = date(2026, 11, 10),
                 setting: str = "informal", kind: str = "hallway_chat") -> dict:
    """An observation as digest.digest_row reads it: by default a chat in the hallway on one day."""
    return {"id": uuid.uuid4(), "school_id": school.id, "local_date": day, "location_id": place,
            "setting": setting, "conversation_kind": kind, "team": None,
            "observer_id": observer.id if observer else None, "rubric_id": rubric_id}


def fifty_conversations(db, school) -> tuple:
    """An observer's fifty conversations over ten places, in a school whose rollup is built: (observer, rubric)."""
    observer, rubric = factories.create_user("observer", school), factories.default_rubric()
    rollup.rebuild()
    bits = digest.TraitBits()
    insert_rows(DIGEST, [digest.digest_row(conversation(school, observer, number % 10, rubric.id), {}, 1, 1, bits)
                         for number in range(50)])
    db.session.commit()
    return observer, rubric


def settings_sent(statement: str, _executemany: bool) -> bool:
    return statement.lstrip().upper().startswith("SET")


def test_a_digest_read_has_room_to_sum_for_its_transaction_only(db, school):
    """PostgreSQL: the digest's reads sort and hash in 32 MB, not the server's default 4 MB, where a busy
    observer's rows were sorted on disk (docs/performance.md); set once a transaction, and gone with it, so
    a pooled connection keeps the server's setting. SQLite has no such setting: nothing is sent."""
    observer, rubric = fifty_conversations(db, school)
    filters = Filters(school_ids=(school.id,), observer_id=observer.id, rubric_id=rubric.id)
    traits = [trait.id for trait in rubric.traits] + [CONVERSATIONS]

    with statements_run(db, settings_sent) as sent:
        first = digest.trait_tallies(filters, traits, "all", "day")
        digest.heard(school.id, filters, "weekday")
        digest.listening(school.id, filters, False)
    assert first  # the reads read
    if db.engine.dialect.name == "sqlite":
        assert sent == []
        return
    assert [statement for statement, _ in sent] == [f"SET LOCAL work_mem = '{SUMMING_WORK_MEM}'"]
    assert db.session.execute(text("SHOW work_mem")).scalar() == SUMMING_WORK_MEM
    db.session.commit()
    with db.engine.connect() as fresh:
        default = fresh.execute(text("SHOW work_mem")).scalar()
    assert default != SUMMING_WORK_MEM and db.session.execute(text("SHOW work_mem")).scalar() == default


def test_days_read_in_order_keep_the_servers_memory_for_sorting(db, school):
    """PostgreSQL: by weekday, the digest's days are summed in the index's order, with nothing large to sort
    or hash; given room to sum, the planner hashed a sequential scan of the whole district's digest instead.
    So those reads send no setting, while a read by place and period does."""
    observer, rubric = fifty_conversations(db, school)
    by_setting = Filters(school_ids=(school.id,), setting="formal", rubric_id=rubric.id)
    by_observer = Filters(school_ids=(school.id,), observer_id=observer.id, rubric_id=rubric.id)

    with statements_run(db, settings_sent) as by_weekday:
        digest.heard(school.id, by_setting, "weekday")
        digest.listening(school.id, by_observer, "weekday")
        digest.heard(school.id, by_observer, "weekday")
    db.session.commit()
    with statements_run(db, settings_sent) as by_period:
        digest.heard(school.id, by_observer, False)
    db.session.commit()
    assert by_weekday == []
    assert len(by_period) == (1 if db.engine.dialect.name == "postgresql" else 0)
