"""Quality and trends: shares of conversations in which each trait was heard, hand-computed."""
from __future__ import annotations

import pytest

from tests.heatmaps.conftest import add_observation, add_walk, get_json, table_cell

HALL, LOUNGE, ROOM = "Main hallway", "Staff lounge", "Room 204 (PLC)"


@pytest.fixture()
def talk(db, school, settle, source):
    """Five live conversations and one tombstone (which must never count).

    informal: hallway 08:40 Grade 7 {substantive 2, evidence 1, people 1}; lounge 09:10 Grade 7
    {substantive 1, people 2}; hallway 17 Nov, no team, nothing heard.
    formal: PLC 15:30 Math {substantive 2, evidence 2, questions 1, action 1}; data team 15:40 Math
    {substantive 1, evidence 1}; a deleted PLC with evidence.
    """
    walk = add_walk(db, school, "2026-11-10 08:30", "2026-11-10 09:30")
    add_observation(db, school, "2026-11-10 08:40", HALL, walk, {"substantive": 2, "evidence": 1, "people": 1},
                    team="Grade 7")
    add_observation(db, school, "2026-11-10 09:10", LOUNGE, walk, {"substantive": 1, "people": 2},
                    kind="lounge", team="Grade 7")
    add_observation(db, school, "2026-11-10 15:30", ROOM, None, {"substantive": 2, "evidence": 2, "questions": 1,
                    "action": 1}, setting="formal", kind="plc", team="Math")
    add_observation(db, school, "2026-11-10 15:40", ROOM, None, {"substantive": 1, "evidence": 1},
                    setting="formal", kind="data_team", team="Math")
    add_observation(db, school, "2026-11-10 15:50", ROOM, None, {"evidence": 2}, setting="formal", kind="plc",
                    team="Math", deleted=True)
    add_observation(db, school, "2026-11-17 08:45", HALL, None)
    settle()
    return school


def quality(client, school, **params):
    return get_json(client, f"/api/v1/heatmaps/schools/{school.id}/quality", **params)


def test_share_heard_by_setting(login_as, talk):
    client, _ = login_as("viewer")
    body = quality(client, talk, by="setting")

    informal = table_cell(body, "Substantive", "Informal")
    assert (informal["n"], informal["heard"], informal["strong"]) == (3, 2, 1)
    assert informal["value"] == pytest.approx(2 / 3)
    formal = table_cell(body, "Evidence", "Formal")
    assert (formal["n"], formal["heard"], formal["strong"], formal["value"]) == (2, 2, 1, 1.0)


def test_tombstoned_conversations_never_count(login_as, talk):
    client, _ = login_as("viewer")
    body = quality(client, talk, by="setting")

    assert table_cell(body, "Evidence", "All conversations")["n"] == 5
    assert table_cell(body, "Evidence", "Formal")["strong"] == 1


def test_share_strong_mean_level_and_wilson_interval_are_given(login_as, talk):
    client, _ = login_as("viewer")
    cell = table_cell(quality(client, talk, by="setting"), "Substantive", "All conversations")

    assert (cell["heard"], cell["n"]) == (4, 5)
    assert cell["strong_share"] == pytest.approx(2 / 5)
    assert cell["mean_level"] == pytest.approx((2 + 1 + 2 + 1 + 0) / 5)
    assert (cell["interval_low"], cell["interval_high"]) == (pytest.approx(0.3755, abs=1e-4), pytest.approx(0.9638, abs=1e-4))


@pytest.mark.parametrize(("by", "column", "n", "heard"), [
    ("kind", "Hallway chat", 2, 1),
    ("kind", "Data team", 1, 1),
    ("team", "Grade 7", 2, 2),
    ("team", "No team recorded", 1, 0),
    ("place", ROOM, 2, 2),
    ("place_kind", "Hallways", 2, 1),
    ("week", "Nov 9", 4, 4),
    ("week", "Nov 16", 1, 0),
])
def test_substantive_by_each_column_choice(login_as, talk, by, column, n, heard):
    client, _ = login_as("viewer")
    cell = table_cell(quality(client, talk, by=by), "Substantive", column)

    assert (cell["n"], cell["heard"]) == (n, heard)


@pytest.mark.parametrize(("filters", "column", "n", "heard"), [
    ({"setting": "formal", "by": "place"}, ROOM, 2, 2),
    ({"setting": "informal", "by": "kind"}, "Hallway chat", 2, 1),
    ({"team": "Math", "by": "kind"}, "PLC", 1, 1),
    ({"conversation_kind": "lounge", "by": "week"}, "Nov 9", 1, 1),
    ({"date_from": "2026-11-16", "by": "setting"}, "Informal", 1, 0),
])
def test_filters_narrow_the_conversations(login_as, talk, filters, column, n, heard):
    client, _ = login_as("viewer")
    cell = table_cell(quality(client, talk, **filters), "Substantive", column)

    assert (cell["n"], cell["heard"]) == (n, heard)


def test_an_unused_column_is_not_shown_and_an_empty_cell_is_empty(login_as, talk):
    client, _ = login_as("viewer")
    body = quality(client, talk, by="kind")

    assert "Coaching session" not in [c["label"] for c in body["columns"]]
    empty = quality(client, talk, by="setting", date_from="2027-01-01")
    assert empty["columns"][-1]["label"] == "All conversations"
    assert empty["rows"][0]["cells"][-1]["empty"] is True


def test_trends_give_the_weekly_share_and_conversations_per_week(login_as, talk):
    client, _ = login_as("viewer")
    body = get_json(client, f"/api/v1/heatmaps/schools/{talk.id}/trends")

    assert [(c["label"], c["n"]) for c in body["columns"]] == [("Nov 9", 4), ("Nov 16", 1)]
    assert table_cell(body, "Substantive", "Nov 9")["value"] == 1.0
    assert table_cell(body, "People", "Nov 9")["value"] == pytest.approx(2 / 4)
    assert table_cell(body, "People", "Nov 16")["value"] == 0


def test_the_quality_table_names_the_rubric_and_every_trait(login_as, talk):
    client, _ = login_as("viewer")
    body = quality(client, talk)

    assert [row["label"] for row in body["rows"]] == ["Substantive", "Evidence", "Questions", "Non-defensive", "People",
                                                      "Professional knowledge", "Action"]
    assert "Seven traits" in body["caption"]
