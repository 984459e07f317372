"""Bad records are `invalid` with field errors and store nothing; they never block the rest of a batch."""
from datetime import datetime, timedelta, timezone

import pytest

from server.schools.models import Location
from tests.sync.conftest import (
    count_observations, count_walks, observation_record, stored_observation, sync, walk_record, statuses,
)

SOON = (datetime.now(timezone.utc) + timedelta(hours=20)).isoformat()
# Midnight three days ahead: always more than the day's slack away, and the same text in every
# pytest-xdist worker (they collect separately, and a parameter's id must not differ between them).
LATER = (datetime.now(timezone.utc) + timedelta(days=3)).replace(hour=0, minute=0, second=0, microsecond=0).isoformat()

BAD_OBSERVATION_FIELDS = [
    ("id", "not-a-uuid"),
    ("id", None),
    ("version", 0),
    ("version", 2**31),
    ("version", "1"),
    ("version", 1.0),
    ("version", True),
    ("observed_at", "2026-11-24T08:12:30"),          # no offset
    ("observed_at", "1999-12-31T23:59:59Z"),
    ("observed_at", LATER),
    ("observed_at", "2026-11-24T08:12:30+23:00"),
    ("observed_at", "yesterday"),
    # What Python's fromisoformat takes but RFC 3339 does not (issue 14 point 20): refused, not stored altered.
    ("observed_at", "2026-11-24T08:12:30-06:00\x00"),              # trailing NUL
    ("observed_at", "2026-11-24T08:12:30.123456789012-06:00"),     # 12 fractional digits (cut to 6 silently)
    ("observed_at", "2026-11-24T08:12:30.1234567-06:00"),
    ("observed_at", "20261124T081230-0600"),                       # basic format
    ("observed_at", "2026-W48-2T08:12:30-06:00"),                  # week date
    ("observed_at", "2026-11-24 08:12:30-06:00"),                  # space for the T
    ("observed_at", "2026-11-24T08:12:30,5-06:00"),                # decimal comma
    ("observed_at", "2026-11-24T08-06:00"),                        # no minutes or seconds
    ("observed_at", "2026-11-24T08:12:30-06:00:30"),               # seconds in the offset
    ("observed_at", "\uff12026-11-24T08:12:30-06:00"),             # a full-width digit
    ("observed_at", "0001-01-01T00:00:00+14:00"),                  # before year 1 in UTC
    ("rubric_id", 999_999),
    ("location_id", 999_999),
    ("location_id", -1),
    ("setting", "outdoor"),
    ("conversation_kind", "gossip"),
    ("participant_count", 0),
    ("participant_count", 100),
    ("participant_roles", ["teacher", "teacher"]),
    ("participant_roles", ["principal"]),
    ("participant_roles", ["teacher", "coach", "administrator", "specialist", "support_staff", "other", "teacher"]),
    ("team", "x" * 61),
    ("note", "x" * 281),
    ("note", "bell\x07"),
    ("note", 42),
    ("needs_follow_up", "yes"),
    ("trait_levels", {"substantive": 3}),
    ("trait_levels", {"substantive": -1}),
    ("trait_levels", {"substantive": "2"}),
    ("trait_levels", {"charisma": 1}),
    ("trait_levels", ["substantive"]),
    ("walk_id", "not-a-uuid"),
]


@pytest.mark.parametrize(("field", "value"), BAD_OBSERVATION_FIELDS, ids=[f"{f}={v!r}"[:40] for f, v in BAD_OBSERVATION_FIELDS])
def test_bad_field_makes_the_observation_invalid_and_stores_nothing(db, observer, school, field, value):
    client, _ = observer
    [result] = sync(client, school.id, observation_record(school, **{field: value})).get_json()["results"]
    assert result["status"] == "invalid"
    assert field in result["errors"]
    assert count_observations(db) == 0


@pytest.mark.parametrize(("setting", "kind", "message"), [
    ("informal", "plc", "A plc conversation is formal, not informal."),
    ("formal", "hallway_chat", "A hallway_chat conversation is informal, not formal."),
])
def test_kind_must_belong_to_its_setting(db, observer, school, setting, kind, message):
    client, _ = observer
    record = observation_record(school, setting=setting, conversation_kind=kind)
    [result] = sync(client, school.id, record).get_json()["results"]
    assert result["errors"] == {"conversation_kind": [message]}


def test_setting_is_derived_from_the_kind(db, observer, school):
    client, _ = observer
    record = observation_record(school, setting=None, conversation_kind="plc")
    assert statuses(sync(client, school.id, record)) == ["stored"]
    assert stored_observation(db, record["id"]).setting == "formal"


@pytest.mark.parametrize("observed_at", [
    "2026-11-24T08:12:30-06:00", "2026-11-24T08:12:30Z", "2026-11-24T14:12:30.5+00:00", "2026-11-24T14:12:30.123456Z",
])
def test_rfc_3339_times_are_accepted(db, observer, school, observed_at):
    client, _ = observer
    assert statuses(sync(client, school.id, observation_record(school, observed_at=observed_at))) == ["stored"]


def test_observation_a_few_hours_ahead_is_accepted(db, observer, school):
    client, _ = observer
    assert statuses(sync(client, school.id, observation_record(school, observed_at=SOON))) == ["stored"]


def test_unknown_field_is_an_error_for_that_field(db, observer, school):
    client, _ = observer
    [result] = sync(client, school.id, observation_record(school, colour="red")).get_json()["results"]
    assert result["errors"] == {"colour": ["Unknown field."]}


def test_blank_note_and_team_are_stored_as_none(db, observer, school):
    client, _ = observer
    record = observation_record(school, note="   ", team="")
    sync(client, school.id, record)
    row = stored_observation(db, record["id"])
    assert (row.note, row.team) == (None, None)


def test_archived_place_is_still_accepted(db, observer, school):
    client, _ = observer
    place = school.locations[0]
    place.archived = True
    db.session.commit()
    assert statuses(sync(client, school.id, observation_record(school, location_id=place.id))) == ["stored"]


def test_another_schools_place_is_invalid(db, observer, school, other_school):
    client, _ = observer
    record = observation_record(school, location_id=other_school.locations[0].id)
    [result] = sync(client, school.id, record).get_json()["results"]
    assert result["errors"] == {"location_id": ["Not a place of this school."]}


def test_another_districts_rubric_is_invalid(db, observer, school, other_school):
    from server.rubrics.models import Rubric, Trait

    rubric = Rubric(district_id=other_school.district_id, key="theirs", name="Theirs",
                    traits=[Trait(key="substantive", label="S", description="", position=1)])
    db.session.add(rubric)
    db.session.commit()
    client, _ = observer
    [result] = sync(client, school.id, observation_record(school, rubric_id=rubric.id)).get_json()["results"]
    assert result["errors"] == {"rubric_id": ["Not a rubric this school can use."]}


def test_walk_sent_later_in_the_batch_is_not_found(db, observer, school):
    client, _ = observer
    walk = walk_record()
    [result, _] = sync(client, school.id, observation_record(school, walk_id=walk["id"]), walk).get_json()["results"]
    assert result["errors"] == {"walk_id": ["Not found."]}


def test_another_observers_walk_is_not_found(db, login_as, school):
    colleague, _ = login_as("observer")
    walk = walk_record()
    sync(colleague, school.id, walk)
    client, _ = login_as("observer")
    [result] = sync(client, school.id, observation_record(school, walk_id=walk["id"])).get_json()["results"]
    assert result["errors"] == {"walk_id": ["Not found."]}


@pytest.mark.parametrize(("started_at", "ended_at", "field"), [
    ("2026-11-24T09:00:00-06:00", "2026-11-24T08:00:00-06:00", "ended_at"),
    ("2026-11-24T06:00:00-06:00", "2026-11-24T18:00:01-06:00", "ended_at"),
    ("2026-11-24T06:00:00", None, "started_at"),
    (LATER, None, "started_at"),
    ("2026-11-24T08:00:00-06:00\x00", None, "started_at"),
    ("2026-11-24T08:00:00.123456789012-06:00", None, "started_at"),
    ("2026-11-24T08:00:00-06:00", "2026-11-24T08:40:00-06:00\x00", "ended_at"),
    ("2026-11-24T08:00:00-06:00", "2026-11-24T08:40:00.000000000001-06:00", "ended_at"),
])
def test_impossible_walk_is_invalid(db, observer, school, started_at, ended_at, field):
    client, _ = observer
    [result] = sync(client, school.id, walk_record(started_at=started_at, ended_at=ended_at)).get_json()["results"]
    assert (result["status"], list(result["errors"])) == ("invalid", [field])
    assert count_walks(db) == 0


@pytest.mark.parametrize("record", [
    {"type": "sighting", "id": "x"},
    {"id": "x"},
    "observation",
    None,
    {"type": "deletion", "id": "00000000-0000-4000-8000-000000000000", "entity": "school", "version": 2},  # follow_up is an entity since issue 5
])
def test_unreadable_record_is_invalid(db, observer, school, record):
    client, _ = observer
    [result] = sync(client, school.id, record).get_json()["results"]
    assert result["status"] == "invalid"
    assert result["errors"]


def test_one_invalid_record_does_not_block_the_others(db, observer, school):
    client, _ = observer
    good_before, good_after = observation_record(school), observation_record(school)
    bad = observation_record(school, location_id=999_999)
    response = sync(client, school.id, good_before, bad, good_after)
    assert statuses(response) == ["stored", "invalid", "stored"]
    assert response.get_json()["results"][1]["errors"] == {"location_id": ["Not a place of this school."]}
    assert stored_observation(db, bad["id"]) is None
    assert count_observations(db) == 2


def test_id_is_echoed_only_when_it_is_a_short_string(db, observer, school):
    client, _ = observer
    results = sync(client, school.id, observation_record(school, id="x" * 65), observation_record(school, id=7)).get_json()["results"]
    assert [r["id"] for r in results] == [None, None]


def test_record_with_another_schools_id_is_not_found_without_its_content(db, login_as, school, other_school):
    stranger, _ = login_as("principal", target_school=other_school)
    theirs = observation_record(other_school, note="their private note")
    sync(stranger, other_school.id, theirs)
    client, _ = login_as("principal")
    for mine in (observation_record(school, record_id=theirs["id"]), {**observation_record(school, record_id=theirs["id"]), "version": 9},
                 {"type": "deletion", "entity": "observation", "id": theirs["id"], "version": 9}):
        response = sync(client, school.id, mine)
        [result] = response.get_json()["results"]
        assert result == {"id": theirs["id"], "type": mine["type"], "status": "invalid", "errors": {"id": ["Not found."]}}
        assert "their private note" not in response.get_data(as_text=True)
    row = stored_observation(db, theirs["id"])
    assert (row.school_id, row.version, row.deleted_at, row.note) == (other_school.id, 1, None, "their private note")


def test_colleagues_record_in_the_same_school_is_not_found(db, login_as, school):
    colleague, _ = login_as("observer")
    theirs = observation_record(school)
    sync(colleague, school.id, theirs)
    client, _ = login_as("principal")
    [result] = sync(client, school.id, {**theirs, "version": 2, "note": "overwrite"}).get_json()["results"]
    assert result["errors"] == {"id": ["Not found."]}
    assert stored_observation(db, theirs["id"]).note == theirs["note"]


def test_place_added_after_sign_in_is_accepted(db, observer, school):
    location = Location(school_id=school.id, name="New wing", kind="hallway")
    db.session.add(location)
    db.session.commit()
    client, _ = observer
    assert statuses(sync(client, school.id, observation_record(school, location_id=location.id))) == ["stored"]
