"""POST /api/v1/sync: each record upserted by its UUID and version, exactly once."""
from datetime import date, datetime, timezone

from tests.sync.conftest import (
    SEVEN_TRAITS, count_observations, count_trait_levels, count_walks, deletion_record, new_id,
    observation_record, stored_levels, stored_observation, sync, walk_record, statuses,
)


def test_first_sync_stores_the_observation_with_a_level_for_every_trait(db, observer, school):
    client, user = observer
    record = observation_record(school)
    assert statuses(sync(client, school.id, record)) == ["stored"]
    row = stored_observation(db, record["id"])
    assert (row.school_id, row.observer_id, row.version) == (school.id, user.id, 1)
    assert (row.team, row.note, row.participant_roles) == ("Grade 7", "Talked through Friday's exit tickets", ["teacher", "coach"])
    assert stored_levels(db, record["id"]) == {key: {"substantive": 2, "evidence": 1}.get(key, 0) for key in SEVEN_TRAITS}


def test_result_names_the_record_its_type_and_version(db, observer, school):
    client, _ = observer
    record = observation_record(school, version=4)
    [result] = sync(client, school.id, record).get_json()["results"]
    assert result == {"id": record["id"], "type": "observation", "status": "stored", "version": 4}


def test_observer_and_school_come_from_the_session_not_the_body(db, observer, school, other_school):
    client, user = observer
    record = observation_record(school, observer_id=999, school_id=other_school.id)
    [result] = sync(client, school.id, record).get_json()["results"]
    assert result["status"] == "invalid"
    assert set(result["errors"]) == {"observer_id", "school_id"}
    assert count_observations(db) == 0


def test_observed_time_keeps_the_device_offset_and_is_stored_as_utc(db, observer, school):
    client, _ = observer
    record = observation_record(school, observed_at="2026-11-24T08:12:30-06:00")
    sync(client, school.id, record)
    row = stored_observation(db, record["id"])
    assert row.observed_at == datetime(2026, 11, 24, 14, 12, 30, tzinfo=timezone.utc)
    assert row.utc_offset_minutes == -360


def test_local_date_is_the_school_day_when_utc_has_passed_midnight(db, observer, school):
    client, _ = observer
    record = observation_record(school, observed_at="2026-11-25T03:30:00Z")  # 21:30 the day before in Chicago
    sync(client, school.id, record)
    assert stored_observation(db, record["id"]).local_date == date(2026, 11, 24)


def test_local_date_follows_the_school_zone_not_the_device_offset(db, observer, school):
    client, _ = observer
    record = observation_record(school, observed_at="2026-07-01T00:30:00+01:00")  # 18:30 on 30 June in Chicago (CDT)
    sync(client, school.id, record)
    row = stored_observation(db, record["id"])
    assert (row.local_date, row.utc_offset_minutes) == (date(2026, 6, 30), 60)


def test_resent_batch_stores_each_observation_once(db, observer, school):
    client, _ = observer
    walk = walk_record()
    batch = [walk, observation_record(school, walk_id=walk["id"]), observation_record(school)]
    assert statuses(sync(client, school.id, *batch)) == ["stored"] * 3
    for _ in range(3):
        assert statuses(sync(client, school.id, *batch)) == ["unchanged"] * 3
    assert (count_observations(db), count_walks(db), count_trait_levels(db)) == (2, 1, 14)


def test_resend_with_levels_spelt_differently_is_unchanged(db, observer, school):
    client, _ = observer
    record = observation_record(school, trait_levels={"substantive": 2})
    sync(client, school.id, record)
    spelt_out = {**record, "trait_levels": {key: 2 if key == "substantive" else 0 for key in SEVEN_TRAITS},
                 "participant_roles": list(reversed(record["participant_roles"])),
                 "observed_at": "2026-11-24T08:12:30.000-06:00"}
    assert statuses(sync(client, school.id, spelt_out)) == ["unchanged"]


def test_higher_version_replaces_content_and_trait_levels_exactly(db, observer, school):
    client, _ = observer
    record = observation_record(school, trait_levels={"substantive": 2, "evidence": 1})
    sync(client, school.id, record)
    edited = {**record, "version": 2, "note": None, "team": "Grade 8", "trait_levels": {"action": 2}}
    assert statuses(sync(client, school.id, edited)) == ["stored"]
    row = stored_observation(db, record["id"])
    assert (row.version, row.note, row.team) == (2, None, "Grade 8")
    assert stored_levels(db, record["id"]) == {key: 2 if key == "action" else 0 for key in SEVEN_TRAITS}
    assert count_trait_levels(db) == 7


def test_edit_to_another_rubric_keeps_only_that_rubrics_levels(db, observer, school):
    client, _ = observer
    record = observation_record(school)
    sync(client, school.id, record)
    four = next(r for r in client.get("/api/v1/bootstrap").get_json()["schools"][0]["rubrics"] if r["key"] == "four-essentials")
    edited = {**record, "version": 2, "rubric_id": four["id"], "trait_levels": {"shared_inquiry": 1}}
    assert statuses(sync(client, school.id, edited)) == ["stored"]
    assert stored_levels(db, record["id"]) == {
        "shared_inquiry": 1, "grounded_in_data": 0, "surfaces_assumptions": 0, "builds_knowledge": 0}


def test_one_batch_of_edits_across_rubrics_and_a_deletion_leaves_each_log_exactly_its_levels(db, observer, school):
    client, _ = observer
    kept, moved, unchanged, deleted = (observation_record(school, trait_levels={"substantive": 2, "evidence": 1})
                                       for _ in range(4))
    sync(client, school.id, kept, moved, unchanged, deleted)
    four = next(r for r in client.get("/api/v1/bootstrap").get_json()["schools"][0]["rubrics"] if r["key"] == "four-essentials")
    edits = [{**kept, "version": 2, "trait_levels": {"substantive": 1, "action": 2}},
             {**moved, "version": 2, "rubric_id": four["id"], "trait_levels": {"builds_knowledge": 2}},
             {**unchanged, "version": 2, "note": "Only the note moved"},
             deletion_record(deleted["id"], 2)]
    assert statuses(sync(client, school.id, *edits)) == ["stored"] * 4
    assert stored_levels(db, kept["id"]) == {key: {"substantive": 1, "action": 2}.get(key, 0) for key in SEVEN_TRAITS}
    assert stored_levels(db, moved["id"]) == {
        "shared_inquiry": 0, "grounded_in_data": 0, "surfaces_assumptions": 0, "builds_knowledge": 2}
    assert stored_levels(db, unchanged["id"]) == {key: {"substantive": 2, "evidence": 1}.get(key, 0) for key in SEVEN_TRAITS}
    assert stored_levels(db, deleted["id"]) == {}
    assert count_trait_levels(db) == 7 + 4 + 7


def test_stale_version_is_a_conflict_carrying_the_current_record(db, observer, school):
    client, _ = observer
    record = observation_record(school)
    sync(client, school.id, record, {**record, "version": 3, "note": "newer"})
    [result] = sync(client, school.id, {**record, "version": 2, "note": "older"}).get_json()["results"]
    assert (result["status"], result["version"]) == ("conflict", 3)
    assert result["current"]["note"] == "newer"
    assert result["current"]["trait_levels"]["substantive"] == 2
    assert result["current"]["observed_at"] == "2026-11-24T08:12:30-06:00"
    assert stored_observation(db, record["id"]).note == "newer"


def test_same_version_with_different_content_is_a_conflict_and_changes_nothing(db, observer, school):
    client, _ = observer
    record = observation_record(school)
    sync(client, school.id, record)
    [result] = sync(client, school.id, {**record, "trait_levels": {"substantive": 0}}).get_json()["results"]
    assert result["status"] == "conflict"
    assert result["current"]["id"] == record["id"]
    assert stored_levels(db, record["id"])["substantive"] == 2


def test_deletion_leaves_a_tombstone_without_the_note(db, observer, school):
    client, _ = observer
    record = observation_record(school)
    sync(client, school.id, record)
    assert statuses(sync(client, school.id, deletion_record(record["id"], 2))) == ["stored"]
    row = stored_observation(db, record["id"])
    assert row.deleted_at is not None
    assert (row.version, row.note) == (2, None)
    assert stored_levels(db, record["id"]) == {}


def test_resent_deletion_is_unchanged(db, observer, school):
    client, _ = observer
    record = observation_record(school)
    sync(client, school.id, record, deletion_record(record["id"], 2))
    assert statuses(sync(client, school.id, deletion_record(record["id"], 2))) == ["unchanged"]


def test_deleting_an_unknown_observation_is_unchanged_and_stores_nothing(db, observer, school):
    client, _ = observer
    assert statuses(sync(client, school.id, deletion_record(new_id(), 2))) == ["unchanged"]
    assert count_observations(db) == 0


def test_deletion_not_newer_than_the_server_is_a_conflict(db, observer, school):
    client, _ = observer
    record = observation_record(school)
    sync(client, school.id, {**record, "version": 3})
    [result] = sync(client, school.id, deletion_record(record["id"], 2)).get_json()["results"]
    assert (result["status"], result["current"]["deleted_at"]) == ("conflict", None)
    assert stored_observation(db, record["id"]).deleted_at is None


def test_editing_a_deleted_observation_is_a_conflict_showing_the_deletion(db, observer, school):
    client, _ = observer
    record = observation_record(school)
    sync(client, school.id, record, deletion_record(record["id"], 2))
    [result] = sync(client, school.id, {**record, "version": 3}).get_json()["results"]
    assert result["status"] == "conflict"
    assert result["current"]["deleted_at"] is not None
    assert stored_observation(db, record["id"]).version == 2


def test_create_edit_and_delete_in_one_batch_end_as_one_tombstone(db, observer, school):
    client, _ = observer
    record = observation_record(school)
    response = sync(client, school.id, record, {**record, "version": 2, "note": "edited"}, deletion_record(record["id"], 3))
    assert statuses(response) == ["stored", "stored", "stored"]
    row = stored_observation(db, record["id"])
    assert (row.version, row.deleted_at is not None, count_trait_levels(db)) == (3, True, 0)


def test_walk_is_stored_and_an_observation_can_point_at_it_in_the_same_batch(db, observer, school):
    client, user = observer
    walk = walk_record(ended_at=None)
    record = observation_record(school, walk_id=walk["id"])
    assert statuses(sync(client, school.id, walk, record)) == ["stored", "stored"]
    assert str(stored_observation(db, record["id"]).walk_id) == walk["id"]


def test_walk_is_ended_by_a_newer_version(db, observer, school):
    client, _ = observer
    walk = walk_record(ended_at=None)
    sync(client, school.id, walk)
    ended = {**walk, "version": 2, "ended_at": "2026-11-24T09:00:00-06:00"}
    assert statuses(sync(client, school.id, ended)) == ["stored"]
    rows = client.get(f"/api/v1/walks?school_id={school.id}").get_json()["items"]
    assert [(r["version"], r["ended_at"]) for r in rows] == [(2, "2026-11-24T15:00:00+00:00")]


def test_walk_deletion_leaves_a_tombstone(db, observer, school):
    client, _ = observer
    walk = walk_record()
    sync(client, school.id, walk)
    assert statuses(sync(client, school.id, deletion_record(walk["id"], 2, entity="walk"))) == ["stored"]
    [item] = client.get(f"/api/v1/walks?school_id={school.id}").get_json()["items"]
    assert (item["version"], item["deleted_at"] is not None) == (2, True)


def test_empty_batch_answers_with_no_results(db, observer, school):
    client, _ = observer
    assert sync(client, school.id).get_json()["results"] == []


def test_a_full_batch_of_200_is_stored(db, observer, school):
    client, _ = observer
    response = sync(client, school.id, *[observation_record(school) for _ in range(200)])
    assert statuses(response) == ["stored"] * 200
    assert (count_observations(db), count_trait_levels(db)) == (200, 1400)
