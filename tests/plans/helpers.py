"""Plan bodies for the API, built from the few fields a test cares about."""
from __future__ import annotations


def plan_body(name: str = "Grade 7 PLC", **recurrence) -> dict:
    rule = {"frequency": "weekly", "weekdays": [1], "starts_at": "15:00", "ends_at": "16:00",
            "first_day": "2026-10-20", "last_day": "2026-11-17", **recurrence}
    return {"name": name, "purpose": "Using data to see where practice falls short", "kind": "plc",
            "participants": "Grade 7 teachers and the instructional coach", "participant_count": 6,
            "strategy": "Common formative assessments", "focus_traits": ["evidence", "action"], "recurrence": rule}


def create_plan(client, school_id: int, **recurrence) -> dict:
    answer = client.post(f"/api/v1/schools/{school_id}/plans", json=plan_body(**recurrence))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()


def starts(client, plan_id: int, first: str, last: str, key: str = "utc_start") -> list[str]:
    answer = client.get(f"/api/v1/plans/{plan_id}/occurrences", query_string={"from": first, "to": last})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return [occurrence[key] for occurrence in answer.get_json()]
