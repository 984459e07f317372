"""A phone's outbox over real HTTP: each batch is sent again until every record in it has an answer.

Like the app (pwa/js/outbox.js), a device keeps a batch while the server cannot answer (connection
refused or reset, a reply cut off, 5xx) and sends the same records again, with a short pause; a 200 answers every
record. Each 'stored' answer is checked against the database at once, so a success the server
reports for a record it did not commit is caught, whatever later re-sends store.
"""
from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import requests

ACKNOWLEDGED = {"stored", "unchanged"}


@dataclass
class Phone:
    base_url: str
    email: str
    password: str
    committed: callable  # ids → the subset the database holds now
    http: requests.Session = field(default_factory=requests.Session)
    sent: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # what the server answered instead of results
    false_successes: list[str] = field(default_factory=list)
    answered: int = 0  # batches answered with a 200
    in_flight: bool = False  # a sync request is out and not yet answered

    def sign_in(self, deadline_seconds: float = 60) -> dict:
        """Sign in (retrying while the server is down) and read the bootstrap."""
        end = time.monotonic() + deadline_seconds
        while True:
            try:
                token = self.http.get(f"{self.base_url}/api/v1/auth/csrf", timeout=10).json()["csrf_token"]
                response = self.http.post(f"{self.base_url}/api/v1/auth/login", timeout=10, headers={"X-CSRFToken": token},
                                          json={"email": self.email, "password": self.password})
                if response.status_code == 200:
                    self.http.headers["X-CSRFToken"] = self.http.get(f"{self.base_url}/api/v1/auth/csrf", timeout=10).json()["csrf_token"]
                    return self.http.get(f"{self.base_url}/api/v1/bootstrap", timeout=10).json()
            except (requests.ConnectionError, requests.Timeout, ValueError):
                pass
            if time.monotonic() > end:
                raise AssertionError(f"could not sign in {self.email} within {deadline_seconds} s")
            time.sleep(0.2)

    def batch(self, bootstrap: dict, size: int, rng: random.Random) -> list[dict]:
        school = bootstrap["schools"][0]
        rubric = next(rubric for rubric in school["rubrics"] if rubric["is_default"])
        places = [place["id"] for place in school["locations"]]
        now = datetime.now(timezone.utc)
        records = [{
            "type": "observation", "id": str(uuid.uuid4()), "version": 1, "walk_id": None, "rubric_id": rubric["id"],
            "location_id": rng.choice(places), "observed_at": (now - timedelta(minutes=rng.randrange(600))).isoformat(),
            "trait_levels": {trait["key"]: rng.randint(0, 2) for trait in rubric["traits"]},
        } for _ in range(size)]
        self.sent += [record["id"] for record in records]
        return records

    def send_until_answered(self, school_id: int, records: list[dict], deadline_seconds: float = 90) -> int:
        """POST the batch until a 200 answers it; the number of failed attempts before that."""
        end, failed = time.monotonic() + deadline_seconds, 0
        while True:
            try:
                self.in_flight = True
                try:
                    response = self.http.post(f"{self.base_url}/api/v1/sync", json={"school_id": school_id, "records": records},
                                              timeout=30)
                finally:
                    self.in_flight = False
                if response.status_code == 200:
                    self.check(response.json()["results"])
                    self.answered += 1
                    return failed
                assert response.status_code in {502, 503, 504}, (response.status_code, response.text[:300])
                assert response.headers["Content-Type"].startswith("application/problem+json"), response.text[:300]
                self.failures.append(f"{response.status_code} {response.json().get('detail', '')}")
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as error:
                self.failures.append(type(error).__name__)  # ChunkedEncodingError: the reply was cut off
            failed += 1
            if time.monotonic() > end:
                raise AssertionError(f"a batch found no answer within {deadline_seconds} s: {self.failures[-5:]}")
            time.sleep(0.1)

    def check(self, results: list[dict]) -> None:
        assert {result["status"] for result in results} <= ACKNOWLEDGED, results
        stored = [result["id"] for result in results if result["status"] == "stored"]
        held = self.committed(stored)
        self.false_successes += [record_id for record_id in stored if record_id not in held]
