"""The observation schema's one-pass loader agrees with `load` wherever it answers, and clean text refuses
exactly the control characters (no database)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from schemas.base import CONTROL_CHARACTERS
from schemas.sync import ObservationRecordSchema

SCHEMA = ObservationRecordSchema()
TRICKY_VALUES = [
    None, True, False, 0, 1, 2, 3, -1, 99, 100, 2**31 - 1, 2**31, 2**63, 1.0, 1.5, "", " ", "1", "plc", "formal",
    "informal", "teacher", "hallway_chat", "a\x00b", "\ud800", "x" * 61, "x" * 281, "  padded  ",
    "2026-11-24T08:12:30-06:00", "2026-11-24T08:12:30", "1999-01-01T00:00:00Z", "2026-11-24T08:12:30+19:00",
    str(uuid.uuid4()), uuid.uuid4().hex, [], ["teacher"], ["teacher", "teacher"], ["boss"], [1], {},
    {"substantive": 2}, {"substantive": True}, {"substantive": 3}, {"": 1}, {"k" * 41: 1}, {"$gt": ""},
    "2026-11-24", "2026-13-01", "1999-11-24", "2026-11-24T00:00:00",
]
FIELDS = ["type", "id", "version", "walk_id", "rubric_id", "location_id", "observed_at", "setting",
          "conversation_kind", "participant_count", "participant_roles", "team", "note", "needs_follow_up",
          "trait_levels", "school_id", "plan_id", "plan_day"]


def valid_record(**fields) -> dict:
    record = {
        "type": "observation", "id": str(uuid.uuid4()), "version": 1, "walk_id": None, "rubric_id": 1,
        "location_id": 4, "observed_at": "2026-11-24T08:12:30-06:00", "setting": None,
        "conversation_kind": "plc", "participant_count": 3, "participant_roles": ["teacher", "coach"],
        "team": " Grade 7 ", "note": "", "needs_follow_up": False, "trait_levels": {"substantive": 2, "evidence": 0},
    }
    record.update(fields)
    return record


def loaded_or_errors(record: dict):
    try:
        return SCHEMA.load(record)
    except ValidationError as error:
        return error.messages


@pytest.mark.parametrize("record", [
    valid_record(),
    valid_record(walk_id=str(uuid.uuid4()), setting="formal", note="Exit tickets", team=None),
    {key: value for key, value in valid_record().items()
     if key in {"type", "id", "version", "rubric_id", "location_id", "observed_at"}},
    valid_record(observed_at=(datetime.now(timezone.utc) + timedelta(hours=23)).isoformat()),
    valid_record(plan_id=9, plan_day="2026-11-24"),
    valid_record(plan_id=None, plan_day=None),
])
def test_usual_records_take_the_one_pass_loader_to_the_same_result(record):
    quick = SCHEMA.load_well_formed(record)
    assert quick is not None
    assert quick == SCHEMA.load(record)


def test_one_pass_loader_agrees_with_load_for_every_single_field_change():
    disagreements = []
    for field in FIELDS:
        for value in TRICKY_VALUES:
            for record in (valid_record(**{field: value}), {k: v for k, v in valid_record().items() if k != field}):
                quick = SCHEMA.load_well_formed(record)
                if quick is not None and quick != loaded_or_errors(record):
                    disagreements.append((field, value))
    assert disagreements == []


@settings(max_examples=300, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(FIELDS), st.sampled_from(TRICKY_VALUES), max_size=4),
       dropped=st.sets(st.sampled_from(FIELDS[:6]), max_size=1))
def test_one_pass_loader_never_accepts_what_load_rejects_or_differs(changes, dropped):
    record = {key: value for key, value in valid_record(**changes).items() if key not in dropped}
    quick = SCHEMA.load_well_formed(record)
    if quick is not None:
        assert quick == loaded_or_errors(record)


def refused_by_the_rule(text: str) -> bool:
    """The rule as written out: C0 controls other than tab, newline and return, and lone surrogates."""
    return any((ord(ch) < 32 and ch not in "\t\n\r") or 0xD800 <= ord(ch) <= 0xDFFF for ch in text)


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(max_codepoint=0xE000) | st.sampled_from("\t\n\r\x7f\x85\u2028")))
def test_clean_text_refuses_exactly_the_control_characters_and_lone_surrogates(text):
    assert bool(CONTROL_CHARACTERS.search(text)) == refused_by_the_rule(text)


def test_clean_text_refuses_each_control_character_and_surrogate_and_keeps_the_rest():
    for codepoint in [*range(0x0, 0x100), *range(0xD7F0, 0xE010), 0xFFFF, 0x10FFFF]:
        text = f"a{chr(codepoint)}b"
        assert bool(CONTROL_CHARACTERS.search(text)) == refused_by_the_rule(text), hex(codepoint)
