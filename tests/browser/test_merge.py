"""The phone's three-way merge (pwa/js/merge.js), run in Chromium: what it promises for any base,
local change and other device's change. It is pure, so one engine's server is enough to load it."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.browser

TRAITS = ("substantive", "evidence", "action")
KINDS = [(None, None), ("informal", "hallway_chat"), ("informal", "lunch"), ("formal", "plc")]
TEXTS = [None, "Talked about the quiz", "Planning Friday"]
SAME_MOMENT = ["2026-11-24T08:12:30-06:00", "2026-11-24T14:12:30+00:00", "2026-11-24T14:12:30.000Z"]


@pytest.fixture(scope="module")
def merge(browser, live_server):
    if live_server.engine != "sqlite":
        pytest.skip("merge.js is pure: loading it from one engine's server is enough")
    context = browser.new_context(base_url=live_server.url, service_workers="block")
    page = context.new_page()
    page.goto("/healthz")
    page.evaluate("""async () => { window.merge = await import("/js/merge.js"); }""")
    yield lambda *args: page.evaluate("([f, args]) => window.merge[f](...args)", list(args[:1]) + [list(args[1:])])
    context.close()


def observation(note, team, kind, count, levels, moment):
    return {"type": "observation", "id": "0b7c8f4e-0000-4000-8000-000000000001", "version": 1, "walk_id": None,
            "rubric_id": 1, "location_id": 4, "observed_at": moment, "setting": kind[0], "conversation_kind": kind[1],
            "participant_count": count, "participant_roles": [], "team": team, "note": note,
            "needs_follow_up": False, "trait_levels": levels}


levels = st.dictionaries(st.sampled_from(TRAITS), st.integers(0, 2), max_size=3)
records = st.builds(observation, st.sampled_from(TEXTS), st.sampled_from(TEXTS), st.sampled_from(KINDS),
                    st.sampled_from([None, 1, 3]), levels, st.sampled_from(SAME_MOMENT))


@st.composite
def edit_of(draw, base):
    """`base` with some fields (and some trait levels) changed; a change may also land on the same value."""
    edited = {**base, "trait_levels": dict(base["trait_levels"])}
    if draw(st.booleans()):
        edited["note"] = draw(st.sampled_from(TEXTS))
    if draw(st.booleans()):
        edited["team"] = draw(st.sampled_from(TEXTS))
    if draw(st.booleans()):
        edited["setting"], edited["conversation_kind"] = draw(st.sampled_from(KINDS))
    for key in draw(st.lists(st.sampled_from(TRAITS), unique=True, max_size=3)):
        edited["trait_levels"][key] = draw(st.integers(0, 2))
    return edited


def group(unit: str) -> str:
    return "setting" if unit in ("setting", "conversation_kind") else unit


def value(record: dict, unit: str):
    if unit.startswith("trait_levels."):
        return record["trait_levels"].get(unit.split(".", 1)[1], 0)
    return record[unit] or None


UNITS = ["note", "team", "setting", "conversation_kind", "participant_count"] + [f"trait_levels.{t}" for t in TRAITS]


def changed(a: dict, b: dict) -> set[str]:
    return {unit for unit in UNITS if value(a, unit) != value(b, unit)}


triples = records.flatmap(lambda base: st.tuples(st.just(base), edit_of(base), edit_of(base)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(triples)
def test_merge_keeps_every_change_or_asks(merge, triple):
    base, mine, theirs = triple
    verdict = merge("threeWay", "observation", base, mine, theirs)
    mine_changed, theirs_changed = changed(base, mine), changed(base, theirs)
    both = {group(u) for u in mine_changed} & {group(u) for u in theirs_changed}
    clash = {u for u in UNITS if group(u) in both and value(mine, u) != value(theirs, u)}
    if verdict["outcome"] == "conflict":
        assert verdict["reason"] == "edited"
        assert clash and set(verdict["units"]) == clash  # asks only about a field both changed differently
        return
    assert not clash
    kept = verdict.get("record", theirs)
    for unit in UNITS:  # nothing lost: my changes, their changes, and the rest as it was
        expected = value(mine, unit) if group(unit) in {group(u) for u in mine_changed} else value(theirs, unit)
        assert value(kept, unit) == expected, unit
    assert verdict["outcome"] == ("theirs" if not changed(kept, theirs) else "merged")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(triples)
def test_a_deletion_against_an_edit_is_always_asked(merge, triple):
    base, mine, theirs = triple
    deletion = {"type": "deletion", "id": base["id"], "entity": "observation", "version": 2}
    tombstone = {**theirs, "deleted_at": "2026-11-24T15:00:00+00:00"}
    assert merge("threeWay", "observation", base, deletion, theirs)["reason"] == "deleted-here"
    here_edited = merge("threeWay", "observation", base, mine, tombstone)
    assert here_edited["outcome"] == ("conflict" if changed(base, mine) else "theirs")
    assert merge("threeWay", "observation", base, deletion, tombstone) == {"outcome": "theirs"}


def test_a_field_changed_to_the_same_value_twice_is_no_conflict(merge):
    base = observation(None, None, KINDS[0], None, {"evidence": 1}, SAME_MOMENT[0])
    mine = {**base, "note": "Planning Friday", "trait_levels": {"evidence": 1, "action": 2}}
    theirs = {**base, "note": "Planning Friday", "observed_at": SAME_MOMENT[1],
              "trait_levels": {"substantive": 0, "evidence": 1, "action": 0}}
    verdict = merge("threeWay", "observation", base, mine, theirs)
    assert verdict["outcome"] == "merged"
    assert verdict["record"]["trait_levels"] == {"substantive": 0, "evidence": 1, "action": 2}


def test_setting_and_kind_change_together(merge):
    """The server checks a kind against its setting: one side's setting with the other's kind would be invalid."""
    base = observation(None, None, KINDS[1], None, {}, SAME_MOMENT[0])
    mine = {**base, "conversation_kind": "lunch"}
    theirs = {**base, "setting": "formal", "conversation_kind": "plc"}
    verdict = merge("threeWay", "observation", base, mine, theirs)
    assert (verdict["outcome"], set(verdict["units"])) == ("conflict", {"setting", "conversation_kind"})


def test_without_a_base_every_difference_is_asked(merge):
    theirs = observation("Planning Friday", None, KINDS[0], None, {"evidence": 1}, SAME_MOMENT[0])
    mine = {**theirs, "team": "Grade 7"}
    verdict = merge("threeWay", "observation", None, mine, theirs)
    assert (verdict["outcome"], verdict["units"]) == ("conflict", ["team"])


def follow_up(**changes):
    return {"type": "follow_up", "id": "0b7c8f4e-0000-4000-8000-000000000002", "version": 1, "owner_id": 12,
            "action": "Ask the 7th-grade team about Friday's quiz data", "due_at": "2026-12-03T15:00:00-06:00",
            "observation_id": None, "status": "open", "snoozed_until": None, "changed_practice": None,
            "outcome_note": None, "completed_at": None, **changes}


def test_a_follow_up_completed_here_and_snoozed_there_merges(merge):
    base = follow_up()
    done = follow_up(status="done", changed_practice=True, outcome_note="Quiz reteach planned",
                     completed_at="2026-12-03T16:10:00-06:00")
    snoozed = follow_up(snoozed_until="2026-12-04T15:00:00+00:00", due_at="2026-12-03T21:00:00+00:00")
    verdict = merge("threeWay", "follow_up", base, done, snoozed)
    assert verdict["outcome"] == "merged"
    record = verdict["record"]
    assert (record["status"], record["outcome_note"], record["snoozed_until"]) == ("done", "Quiz reteach planned", snoozed["snoozed_until"])


def test_a_follow_up_completed_here_and_dropped_there_is_asked(merge):
    """Status, outcome and completion time are one answer: half of each would not be a real follow-up."""
    base = follow_up()
    done = follow_up(status="done", changed_practice=True, completed_at="2026-12-03T16:10:00-06:00")
    dropped = follow_up(status="dropped", completed_at="2026-12-03T16:10:00-06:00")
    verdict = merge("threeWay", "follow_up", base, done, dropped)
    assert (verdict["outcome"], set(verdict["units"])) == ("conflict", {"status", "changed_practice"})
