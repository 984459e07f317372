"""Property: whatever mix of sends, re-sends, edits and deletions a device makes, once it has sent its
latest state the server holds exactly that state (one row per record, nothing lost or duplicated)."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sync.conftest import SEVEN_TRAITS, count_observations, new_id, observation_record, sync

RECORDS = 3
CONTENT = st.fixed_dictionaries({
    "note": st.one_of(st.none(), st.text(alphabet="abc xyz.", min_size=1, max_size=20).map(str.strip).filter(bool)),
    "team": st.sampled_from([None, "Grade 7", "Science"]),
    "participant_count": st.one_of(st.none(), st.integers(1, 99)),
    "needs_follow_up": st.booleans(),
    "trait_levels": st.dictionaries(st.sampled_from(SEVEN_TRAITS), st.integers(0, 2), max_size=7),
})
STEPS = st.lists(
    st.tuples(st.integers(0, RECORDS - 1), st.sampled_from(["send", "resend", "edit", "delete"]), CONTENT),
    max_size=14,
)


class Device:
    """A client that keeps the newest version it knows of each record, as the PWA's outbox does."""

    def __init__(self, client, school):
        self.client, self.school = client, school
        self.local = {index: observation_record(school, record_id=new_id()) for index in range(RECORDS)}
        self.deleted = {index: False for index in range(RECORDS)}
        self.last_sent: dict[int, dict] = {}

    def payload(self, index: int) -> dict:
        record = self.local[index]
        if self.deleted[index]:
            return {"type": "deletion", "entity": "observation", "id": record["id"], "version": record["version"]}
        return dict(record)

    def post(self, index: int, payload: dict) -> None:
        response = sync(self.client, self.school.id, payload)
        assert response.status_code == 200, response.get_data(as_text=True)
        [result] = response.get_json()["results"]
        assert result["status"] in {"stored", "unchanged", "conflict"}, result
        current = result.get("current")
        if current and current["version"] >= self.local[index]["version"]:
            self.adopt(index, current)

    def adopt(self, index: int, current: dict) -> None:
        self.deleted[index] = current["deleted_at"] is not None
        keep = {k: v for k, v in current.items() if k not in {"deleted_at", "updated_at", "local_date"}}
        self.local[index] = keep

    def step(self, index: int, action: str, content: dict) -> None:
        if action == "send":
            self.last_sent[index] = self.payload(index)
            self.post(index, self.last_sent[index])
        elif action == "resend" and index in self.last_sent:
            self.post(index, self.last_sent[index])
        elif action in {"edit", "delete"} and not self.deleted[index]:
            self.local[index] = {**self.local[index], **content, "version": self.local[index]["version"] + 1}
            self.deleted[index] = action == "delete"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_server_ends_with_the_devices_latest_state(db, observer, school, steps):
    client, _ = observer
    device = Device(client, school)
    rows_before = count_observations(db)
    for index, action, content in steps:
        device.step(index, action, content)
    for index in range(RECORDS):
        device.step(index, "send", {})
    page = client.get(f"/api/v1/observations?school_id={school.id}&limit=500").get_json()["items"]
    server = {item["id"]: item for item in page}
    for index in range(RECORDS):
        local = device.local[index]
        item = server.get(local["id"])
        if item is None:
            assert device.deleted[index], f"record {index} lost"
            continue
        assert item["version"] == local["version"]
        assert (item["deleted_at"] is not None) == device.deleted[index]
        if not device.deleted[index]:
            for field in ("note", "team", "participant_count", "needs_follow_up"):
                assert item[field] == local[field], field
            assert item["trait_levels"] == {key: local["trait_levels"].get(key, 0) for key in SEVEN_TRAITS}
    assert count_observations(db) - rows_before == len({i["id"] for i in page} & {device.local[i]["id"] for i in range(RECORDS)})
