"""The pre-aggregated tables stay exactly equal to the raw queries, whatever the devices sync.

A hypothesis state machine sends walks and observations through POST /api/v1/sync (new ones,
a walk with its conversations in one batch, re-sends, edits of place, time, setting, team, walk and trait levels, tombstones;
and the shapes of real phones: walks left open, walks of many hours, logs outside any walk and a little after
their walk ended, records dated in another UTC offset than the school's, catch-up batches spanning several
days with edits and deletions; co-listening: sessions made on the lead's phone, colleagues' logs with the
code sent before or after the session, inside or outside its window, edited, and the lead's or a
colleague's log deleted, the lead ending a session early, co-listens that run past midnight) and, like a
retention job, hard-deletes some observations with the maintenance API; after every step each
tally the views read is compared between the rollup and the raw rows, and each co-listened
conversation has exactly the counted log the rule names (docs/colisten.md); the calibration summary
holds exactly the rows recomputed from the raw logs, and the calibration figures read from it equal
the raw query's over date ranges that cut conversations in two. `rebuild` then gives the same tables
as the maintenance did.
"""
from __future__ import annotations

import os
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import delete, select

from server import changes
from server.calibration import queries as calibration, summary
from server.colisten import service as colisten
from server.colisten.models import ColistenSession
from server.heatmaps import digest, queries, rollup, service, upkeep
from server.heatmaps.queries import CONVERSATIONS, FACETS, Filters, week_of
from server.observations.models import Observation, ObservationTraitLevel
from server.walks.models import Walk
from tests import factories
from tests.heatmaps.conftest import add_observation, table_cell, table_rows

CODES = ["K7QW3P", "M4RT8X"]  # two codes, so a code's sessions may overlap and logs pick the later one

SEVEN = ("substantive", "evidence", "questions", "non_defensive", "people", "professional_knowledge", "action")
KINDS = [(None, None), ("informal", "hallway_chat"), ("informal", "lunch"), ("formal", "plc"), ("formal", None)]
# Around the end of daylight saving time in Chicago (Sunday 1 November 2026), school hours and the edges of the day.
DAYS = ["2026-10-30", "2026-11-02", "2026-11-03"]
MINUTES = st.integers(min_value=6 * 60, max_value=18 * 60)


def stamp(day: str, minute: int, offset: str | None = None) -> str:
    """A local time of the school (Chicago), written in the school's offset or in another (`offset`, as
    a phone set to another zone dates its records): the same moment either way."""
    moment = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo("America/Chicago")) + timedelta(minutes=minute)
    if offset is not None:
        moment = moment.astimezone(datetime.fromisoformat(f"2026-01-01T00:00:00{offset}").tzinfo)
    return moment.isoformat()


def tallies_by_source(school_ids: tuple[int, ...], trait_ids: list[int]) -> list[tuple[str, object, object]]:
    """Every tally a view can read, from the rollup and from the raw rows, with a name for failures."""
    pairs = []
    filters = Filters(school_ids=school_ids)
    ranges = [Filters(school_ids=school_ids), Filters(school_ids=school_ids, date_from=date(2026, 10, 31)),
              Filters(school_ids=school_ids, date_to=date(2026, 11, 2)),
              Filters(school_ids=school_ids, date_from=date(2026, 10, 28), date_to=date(2026, 11, 3))]
    for facet in FACETS:
        for filters_in_range in ranges:
            by_day = queries.trait_tallies(filters_in_range, trait_ids, facet, "day")
            for grain in (None, "week", "day"):
                pairs.append((f"traits {facet} grain={grain} {filters_in_range.date_from}–{filters_in_range.date_to}",
                              rollup.trait_tallies(filters_in_range, trait_ids, facet, grain), regrained(by_day, grain)))
    narrowed = {"talk": [{"setting": "formal"}, {"conversation_kind": "hallway_chat"},
                         {"setting": "informal", "conversation_kind": "hallway_chat"}],
                "team": [{"team": "Math"}, {"team": ""}]}  # the filters that live in a facet: its rows alone are read
    for facet, choices in narrowed.items():
        for chosen in choices:
            in_facet = Filters(school_ids=school_ids, **chosen)
            by_day, summed = (queries.trait_tallies(in_facet, trait_ids, name, "day") for name in (facet, "all"))
            for grain in (None, "week", "day"):
                pairs.append((f"traits {facet} {chosen} grain={grain}", rollup.trait_tallies(in_facet, trait_ids, facet, grain),
                              regrained(by_day, grain)))
                pairs.append((f"traits {facet} {chosen} grain={grain}, values summed",
                              rollup.trait_tallies(in_facet, trait_ids, facet, grain, by_value=False), regrained(summed, grain)))
    for school_id in school_ids:
        schedule = rollup.schedule_for(school_id)
        raw_by_day = queries.presence(school_id, schedule, filters, True)
        for by_date in (False, True):
            pairs.append((f"presence school={school_id} by_date={by_date}",
                          rounded(rollup.presence(school_id, filters, by_date)),
                          rounded(raw_by_day if by_date else queries.presence(school_id, schedule, filters, False))))
        days = {}
        for (day, _place, _slot), counts in raw_by_day.items():
            total = days.setdefault((school_id, day), [0, 0, 0.0])
            for index in range(3):
                total[index] += counts[index]
        pairs.append((f"school days {school_id}", rounded(rollup.school_days(Filters(school_ids=(school_id,)))),
                      rounded(days)))
    return pairs


def digested_by_source(school_id: int, trait_ids: list[int], rubric_id: int) -> list[tuple[str, object, object]]:
    """Every filter and pair of filters the digest answers, beside the raw rows: trait tallies by each
    facet and grain (walked is read for conversations only), and conversations with listening time."""
    from server.db import db
    from server.rubrics.models import Rubric

    rubric = db.session.get(Rubric, rubric_id)  # held while the digest is read, as a school view holds its rubric:
    assert rubric.traits  # the digest ranks the traits it finds loaded (the identity map forgets what is not held)
    observers = sorted(set(db_scalars(select(Observation.observer_id).where(Observation.school_id == school_id)))
                       - {None}) or [0]
    singles = {"observer": {"observer_id": observers[0]}, "setting": {"setting": "formal"},
               "kind": {"conversation_kind": "hallway_chat"}, "team": {"team": "Math"}, "no team": {"team": ""},
               "dates": {"date_from": date(2026, 10, 31), "date_to": date(2026, 11, 2)}}
    combos = list(singles.items()) + [(f"{a} + {b}", {**singles[a], **singles[b]})
                                      for a in singles for b in singles if a < b]
    pairs = []
    schedule = rollup.schedule_for(school_id)
    for name, narrowed in combos:
        filters = Filters(school_ids=(school_id,), rubric_id=rubric_id, **narrowed)
        for facet in FACETS:
            by_day = queries.trait_tallies(filters, trait_ids, facet, "day")
            for grain in (None, "week"):
                raw = regrained(by_day, grain)
                for key, counts in raw.items():
                    if key[1] != CONVERSATIONS:
                        counts[3] = 0
                pairs.append((f"digest {name} {facet} grain={grain}", digest.trait_tallies(filters, trait_ids, facet, grain),
                              raw))
        raw_by_day = queries.presence(school_id, schedule, filters, True)
        for by_date in (False, True):
            pairs.append((f"digest presence {name} by_date={by_date}",
                          rounded(service.filtered_presence(school_id, filters, by_date)),
                          rounded(raw_by_day if by_date else queries.presence(school_id, schedule, filters, False))))
        pairs.append((f"digest presence {name} by weekday", rounded(service.filtered_presence(school_id, filters, "weekday")),
                      rounded(service.by_weekday(raw_by_day))))
    return pairs


def regrained(by_day: dict, grain: str | None) -> dict:
    """Raw tallies by day summed to `grain` (nothing, 'week' or 'day'): what the raw query grouped by that
    grain returns (its rows are the same rows grouped by one column fewer, or their days' Mondays), read
    once per filter instead of once per grain, as every step of the state machine compares them all."""
    found: dict = {}
    for (school_id, trait_id, value, day), counts in by_day.items():
        total = found.setdefault((school_id, trait_id, value, week_of(day) if grain == "week" else day if grain else None),
                                 [0, 0, 0, 0])
        for index, number in enumerate(counts):
            total[index] += number
    return found


CALIBRATION_RANGES = [(None, None), (date(2026, 10, 31), None), (None, date(2026, 11, 2)),
                      (date(2026, 10, 31), date(2026, 11, 3)), (date(2026, 11, 3), date(2026, 11, 3)),
                      (date(2026, 10, 30), date(2026, 10, 30)), (date(2026, 10, 1), date(2026, 12, 1))]


def summary_by_source(school_id: int, rubric_id: int) -> list[tuple[str, object, object]]:
    """The calibration summary beside its raw recomputation, and the pattern counts read from it beside
    the raw query's, for date ranges that cut conversations spanning midnight."""
    from server.db import db

    kept = sorted(db.session.execute(select(*summary.SUMMARY.c).where(summary.C.school_id == school_id)).all())
    raw = sorted(db.session.execute(summary.summary_rows(Observation.school_id == school_id)).all())
    pairs = [("calibration summary rows", [tuple(row) for row in kept], [tuple(row) for row in raw])]
    months = db.session.execute(select(*summary.MONTHS.c).where(summary.M.school_id == school_id)).all()
    counted = db.session.execute(summary.month_counts(summary.C.school_id == school_id)).all()
    pairs.append(("calibration month counts", sorted(tuple(row) for row in months), sorted(tuple(row) for row in counted)))
    for start, end in CALIBRATION_RANGES:
        pairs.append((f"calibration patterns {start}–{end}",
                      pattern_totals(calibration.pattern_rows((school_id,), rubric_id, start, end)),
                      pattern_totals(calibration.raw_pattern_rows((school_id,), rubric_id, start, end))))
    return pairs


def pattern_totals(rows) -> dict:
    totals: dict = {}
    for row in rows:
        key = (row.school_id, row.trait_id, row.month, row.pattern, row.counted_level)
        totals[key] = totals.get(key, 0) + row.conversations
    return totals


def db_scalars(statement):
    from server.db import db

    return db.session.scalars(statement)


UNREAD_TABLES = {"auth_session", "audit_event"}  # written by requests, read by no comparison


def database_rows() -> tuple:
    """Every row of every table a comparison can read, in a stable order."""
    from server.db import db

    return tuple((table.name, tuple(sorted(map(repr, db.session.execute(select(table)).all()))))
                 for table in db.metadata.sorted_tables if table.name not in UNREAD_TABLES)


def rounded(tallies: dict) -> dict:
    return {key: [round(float(v), 6) for v in values] for key, values in tallies.items() if any(values)}


@pytest.fixture()
def syncing(db, school, login_as):
    rollup.rebuild(school.id)
    db.session.commit()
    client, _ = login_as("observer")
    return client


def expected_links(sessions: list[dict], logs: list[dict]) -> dict:
    """The co-listen rule, written plainly: a live log with a code joins the live session of that code
    whose window holds its time (the latest started); of a session's logs the lead's earliest counts,
    else the earliest; every other log counts alone."""
    expected = {}
    members: dict = {}
    for log in logs:
        holding = [s for s in sessions if s["code"] == log["code"] and s["started_at"] <= log["observed_at"] <= s["expires_at"]]
        if log["code"] and holding:
            session = max(holding, key=lambda s: (s["started_at"], s["id"]))
            members.setdefault(session["id"], []).append(log)
            expected[log["id"]] = (session["id"], False)
        else:
            expected[log["id"]] = (None, True)
    for session_id, linked in members.items():
        lead = next(s["lead"] for s in sessions if s["id"] == session_id)
        chosen = min([log for log in linked if log["observer"] == lead] or linked, key=lambda log: (log["observed_at"], log["id"]))
        expected[chosen["id"]] = (session_id, True)
    return expected


def test_rollup_equals_raw_queries_after_any_sequence_of_syncs(db, school, syncing, login_as):
    trait_ids = [trait.id for trait in factories.default_rubric().traits] + [CONVERSATIONS]
    places = [location.id for location in school.locations]
    school_id, rubric_id, client = school.id, factories.default_rubric().id, syncing
    colleagues = [login_as("observer")[0], login_as("principal")[0]]
    phones = [client, *colleagues]  # phone 0 (the syncing observer) leads every co-listen

    class Devices(RuleBasedStateMachine):
        walks = Bundle("walks")
        observations = Bundle("observations")
        sessions = Bundle("sessions")

        @initialize()
        def start_clean(self):
            db.session.rollback()
            for model in (ObservationTraitLevel, Observation, Walk, ColistenSession):
                table = model.__table__
                condition = (table.c.observation_id.in_(select(Observation.id).where(Observation.school_id == school_id))
                             if model is ObservationTraitLevel else table.c.school_id == school_id)
                db.session.execute(delete(table).where(condition))
            rollup.rebuild(school_id)
            db.session.commit()
            self.records: dict[str, dict] = {}
            self.unsent: dict[str, dict] = {}  # sessions made on the lead's phone, not synced yet
            self.joined: dict[str, tuple[int, dict]] = {}  # colleagues' co-listened logs: phone, record
            self.compared: tuple | None = None  # every row of the database when the comparison last passed

        def send(self, record: dict) -> None:
            response = client.post("/api/v1/sync", json={"school_id": school_id, "records": [record]})
            assert response.status_code == 200, response.get_data(as_text=True)
            [result] = response.get_json()["results"]
            assert result["status"] in {"stored", "unchanged"}, result
            if record["type"] != "deletion":
                self.records[record["id"]] = record

        @rule(target=walks, day=st.sampled_from(DAYS), start=MINUTES, length=st.integers(0, 300),
              open_ended=st.booleans())
        def new_walk(self, day, start, length, open_ended):
            walk_id = str(uuid.uuid4())
            self.send({"type": "walk", "id": walk_id, "version": 1, "started_at": stamp(day, start),
                       "ended_at": None if open_ended else stamp(day, start + length)})
            return walk_id

        @rule(target=observations, walk=st.one_of(st.none(), walks), day=st.sampled_from(DAYS), minute=MINUTES,
              place=st.integers(0, 2), kind=st.sampled_from(KINDS), team=st.sampled_from([None, "Math", "Grade 7"]),
              levels=st.dictionaries(st.sampled_from(SEVEN), st.integers(0, 2)))
        def new_observation(self, walk, day, minute, place, kind, team, levels):
            observation_id = str(uuid.uuid4())
            self.send({"type": "observation", "id": observation_id, "version": 1, "walk_id": walk,
                       "rubric_id": rubric_id, "location_id": places[place], "observed_at": stamp(day, minute),
                       "setting": kind[0], "conversation_kind": kind[1], "team": team, "trait_levels": levels})
            return observation_id

        @rule(target=walks, day=st.sampled_from(DAYS), start=MINUTES,
              logs=st.lists(st.tuples(st.integers(0, 120), st.integers(0, 2), st.sampled_from(SEVEN)), min_size=1, max_size=3))
        def walk_with_logs(self, day, start, logs):
            """As the app sends a walk: the walk and its conversations in one batch."""
            walk_id = str(uuid.uuid4())
            batch = [{"type": "walk", "id": walk_id, "version": 1, "started_at": stamp(day, start), "ended_at": None}]
            batch += [{"type": "observation", "id": str(uuid.uuid4()), "version": 1, "walk_id": walk_id,
                       "rubric_id": rubric_id, "location_id": places[place], "observed_at": stamp(day, start + minute),
                       "trait_levels": {trait: 2}} for minute, place, trait in logs]
            response = client.post("/api/v1/sync", json={"school_id": school_id, "records": batch})
            assert response.status_code == 200, response.get_data(as_text=True)
            assert {result["status"] for result in response.get_json()["results"]} == {"stored"}
            self.records.update((record["id"], record) for record in batch)
            return walk_id

        @rule(observation=observations, walk=st.one_of(st.none(), walks), day=st.sampled_from(DAYS), minute=MINUTES,
              place=st.integers(0, 2), kind=st.sampled_from(KINDS), team=st.sampled_from([None, "Math"]),
              levels=st.dictionaries(st.sampled_from(SEVEN), st.integers(0, 2)))
        def edit_observation(self, observation, walk, day, minute, place, kind, team, levels):
            record = self.records.get(observation)
            if record is None:
                return
            self.send({**record, "version": record["version"] + 1, "walk_id": walk, "location_id": places[place],
                       "observed_at": stamp(day, minute), "setting": kind[0], "conversation_kind": kind[1],
                       "team": team, "trait_levels": levels})

        @rule(target=observations, earlier=observations, walk=st.one_of(st.none(), st.just("new"), walks),
              day=st.sampled_from(DAYS), minute=MINUTES, place=st.integers(0, 2),
              levels=st.dictionaries(st.sampled_from(SEVEN), st.integers(0, 2)), moved_to=st.sampled_from(DAYS),
              end_walk=st.booleans())
        def catch_up_batch(self, earlier, walk, day, minute, place, levels, moved_to, end_walk):
            """A phone back online: a new conversation, maybe on a new walk (their numbers are added), an
            edit of an earlier one (its days recomputed) and maybe the walk's deletion, in one batch,
            often on one day or week."""
            batch = []
            if walk == "new":
                walk = str(uuid.uuid4())
                batch.append({"type": "walk", "id": walk, "version": 1, "started_at": stamp(day, minute - 20),
                              "ended_at": stamp(day, minute + 25)})
            observation_id = str(uuid.uuid4())
            batch.append({"type": "observation", "id": observation_id, "version": 1, "walk_id": walk,
                          "rubric_id": rubric_id, "location_id": places[place], "observed_at": stamp(day, minute),
                          "trait_levels": levels})
            if earlier in self.records:
                edited = self.records[earlier]
                batch.append({**edited, "version": edited["version"] + 1, "observed_at": stamp(moved_to, minute),
                              "trait_levels": {**edited["trait_levels"], "action": 2}})
            if end_walk and walk in self.records:
                batch.append({"type": "deletion", "id": walk, "entity": "walk", "version": self.records[walk]["version"] + 1})
            response = client.post("/api/v1/sync", json={"school_id": school_id, "records": batch})
            assert response.status_code == 200, response.get_data(as_text=True)
            assert {result["status"] for result in response.get_json()["results"]} == {"stored"}, response.get_json()
            for record in batch:
                if record["type"] == "deletion":
                    self.records.pop(record["id"])
                else:
                    self.records[record["id"]] = record
            return observation_id

        @rule(target=walks, day=st.sampled_from(DAYS), start=MINUTES, length=st.integers(300, 720),
              logs=st.lists(st.tuples(st.integers(-30, 760), st.integers(0, 2)), max_size=3),
              offset=st.sampled_from(["+00:00", "-04:00", "+05:30"]))
        def long_walk(self, day, start, length, logs, offset):
            """A walk of many hours (it counts at most 4), logs before its start and after its end, records
            dated in the phone's UTC offset rather than the school's."""
            walk_id = str(uuid.uuid4())
            batch = [{"type": "walk", "id": walk_id, "version": 1, "started_at": stamp(day, start, offset),
                      "ended_at": stamp(day, start + length, offset)}]
            batch += [{"type": "observation", "id": str(uuid.uuid4()), "version": 1, "walk_id": walk_id,
                       "rubric_id": rubric_id, "location_id": places[place], "observed_at": stamp(day, start + minute, offset),
                       "trait_levels": {"evidence": 1}} for minute, place in logs]
            self.send_batch(batch)
            return walk_id

        @rule(walk=walks, minutes=st.integers(1, 90), place=st.integers(0, 2), offset=st.sampled_from([None, "+00:00"]))
        def late_log(self, walk, minutes, place, offset):
            """A conversation logged on a walk a little after it ended (or on a walk left open), sent later."""
            record = self.records.get(walk)
            if record is None:
                return
            started = datetime.fromisoformat(record["ended_at"] or record["started_at"]) + timedelta(minutes=minutes)
            at = started.astimezone(ZoneInfo("UTC")).isoformat() if offset else started.isoformat()
            self.send_batch([{"type": "observation", "id": str(uuid.uuid4()), "version": 1, "walk_id": walk,
                              "rubric_id": rubric_id, "location_id": places[place], "observed_at": at,
                              "team": "Math", "trait_levels": {"people": 2}}])

        @rule(days=st.lists(st.tuples(st.sampled_from(DAYS), MINUTES, st.booleans(), st.integers(0, 3)),
                            min_size=2, max_size=4),
              outside=st.integers(0, 2), edits=st.lists(observations, max_size=3, unique=True),
              deletions=st.lists(observations, max_size=2, unique=True))
        def catch_up_days(self, days, outside, edits, deletions):
            """A phone back online after several days: each day's walk with its logs (some left open, some
            with no logs), logs outside any walk, and edits and deletions of earlier conversations."""
            batch = []
            for day, start, left_open, logs in days:
                walk_id = str(uuid.uuid4())
                batch.append({"type": "walk", "id": walk_id, "version": 1, "started_at": stamp(day, start),
                              "ended_at": None if left_open else stamp(day, start + 35)})
                batch += [{"type": "observation", "id": str(uuid.uuid4()), "version": 1, "walk_id": walk_id,
                           "rubric_id": rubric_id, "location_id": places[(start + index) % 3],
                           "observed_at": stamp(day, start + 9 * index), "conversation_kind": "plc", "setting": "formal",
                           "trait_levels": {SEVEN[index % 7]: 1 + index % 2}} for index in range(logs)]
            for index in range(outside):
                day, start = days[index % len(days)][:2]
                batch.append({"type": "observation", "id": str(uuid.uuid4()), "version": 1, "walk_id": None,
                              "rubric_id": rubric_id, "location_id": places[index % 3],
                              "observed_at": stamp(day, start - 50), "trait_levels": {"questions": 2}})
            for observation in edits:
                if observation in self.records and observation not in deletions:
                    edited = self.records[observation]
                    batch.append({**edited, "version": edited["version"] + 1, "team": "Grade 7",
                                  "trait_levels": {"substantive": 2}})
            for observation in deletions:
                if observation in self.records:
                    batch.append({"type": "deletion", "id": observation, "entity": "observation",
                                  "version": self.records[observation]["version"] + 1})
            self.send_batch(batch)

        def send_batch(self, batch: list[dict]) -> None:
            if not batch:
                return
            response = client.post("/api/v1/sync", json={"school_id": school_id, "records": batch})
            assert response.status_code == 200, response.get_data(as_text=True)
            assert {result["status"] for result in response.get_json()["results"]} == {"stored"}, response.get_json()
            for record in batch:
                if record["type"] == "deletion":
                    self.records.pop(record["id"])
                else:
                    self.records[record["id"]] = record

        @rule(walk=walks, day=st.sampled_from(DAYS), start=MINUTES, length=st.integers(0, 300))
        def edit_walk(self, walk, day, start, length):
            record = self.records.get(walk)
            if record is not None:
                self.send({**record, "version": record["version"] + 1, "started_at": stamp(day, start),
                           "ended_at": stamp(day, start + length)})

        @rule(record_id=st.one_of(observations, walks))
        def resend(self, record_id):
            if record_id in self.records:
                self.send(self.records[record_id])

        @rule(record_id=st.one_of(observations, walks))
        def tombstone(self, record_id):
            record = self.records.pop(record_id, None)
            if record is not None:
                self.send({"type": "deletion", "id": record_id, "entity": record["type"],
                           "version": record["version"] + 1})

        @rule(observation=observations)
        def hard_delete(self, observation):
            """As a retention job would: delete the row, then tell the rollup what it touched before."""
            record_id = uuid.UUID(observation)
            before = upkeep.footprint([record_id], [])
            sessions = set(db.session.scalars(select(Observation.colisten_id).where(
                Observation.id == record_id, Observation.colisten_id.is_not(None))))
            db.session.execute(delete(ObservationTraitLevel).where(ObservationTraitLevel.observation_id == record_id))
            db.session.execute(delete(Observation).where(Observation.id == record_id))
            moved = colisten.relink_after_removal(school_id, sessions, changes.take(db.session.connection(), school_id))
            upkeep.apply([record_id, *moved], [], before=before)
            db.session.commit()
            self.records.pop(observation, None)
            self.joined.pop(observation, None)

        @rule(observations_=st.lists(observations, min_size=1, max_size=3, unique=True))
        def retention_job(self, observations_):
            """A retention job that wraps its hard deletes in the upkeep: their contributions subtracted."""
            record_ids = [uuid.UUID(observation) for observation in observations_]
            sessions = set(db.session.scalars(select(Observation.colisten_id).where(
                Observation.id.in_(record_ids), Observation.colisten_id.is_not(None))))
            companions = list(db.session.scalars(select(Observation.id).where(Observation.colisten_id.in_(sessions))))
            with upkeep.kept_up(set(record_ids) | set(companions)):
                db.session.execute(delete(ObservationTraitLevel).where(ObservationTraitLevel.observation_id.in_(record_ids)))
                db.session.execute(delete(Observation).where(Observation.id.in_(record_ids)))
                colisten.relink_after_removal(school_id, sessions, changes.take(db.session.connection(), school_id))
            db.session.commit()
            for observation in observations_:
                self.records.pop(observation, None)
                self.joined.pop(observation, None)

        # ------------------------------------------------------------ co-listening

        @rule(target=sessions, code=st.sampled_from(CODES), day=st.sampled_from(DAYS), start=MINUTES,
              length=st.integers(10, 180), send_now=st.booleans())
        def start_session(self, code, day, start, length, send_now):
            """The lead starts a co-listen offline; the session syncs now or later (after colleagues' logs)."""
            session = {"type": "colisten", "id": str(uuid.uuid4()), "version": 1, "code": code,
                       "started_at": stamp(day, start), "expires_at": stamp(day, start + length)}
            if send_now:
                self.send_batch([session])
            else:
                self.unsent[session["id"]] = session
            return session["id"]

        @rule(target=sessions, code=st.sampled_from(CODES), day=st.sampled_from(DAYS), start=MINUTES,
              order=st.permutations(range(4)), minutes=st.lists(st.integers(0, 100), min_size=3, max_size=3),
              levels=st.lists(st.dictionaries(st.sampled_from(SEVEN), st.integers(0, 2)), min_size=3, max_size=3))
        def co_listened_conversation(self, code, day, start, order, minutes, levels):
            """Three phones co-listen: the session, the lead's log and two colleagues' logs reach the server
            in any order (as separate syncs), a log now and then after the 90-minute window."""
            session = {"type": "colisten", "id": str(uuid.uuid4()), "version": 1, "code": code,
                       "started_at": stamp(day, start), "expires_at": stamp(day, start + 90)}
            logs = [self.coded_log(session, minute, level) for minute, level in zip(minutes, levels)]
            parts = [(0, [session]), (0, [logs[0]]), (1, [logs[1]]), (2, [logs[2]])]
            for index in order:
                phone, batch = parts[index]
                if phone == 0:
                    self.send_batch(batch)
                else:
                    self.send_as(phone, batch)
                    self.joined[batch[0]["id"]] = (phone, batch[0])
            return session["id"]

        @rule(session=sessions, with_log=st.booleans(), minute=st.integers(-5, 200),
              levels=st.dictionaries(st.sampled_from(SEVEN), st.integers(0, 2)))
        def lead_syncs(self, session, with_log, minute, levels):
            """The lead's phone back online: the session (if not sent yet) and maybe the lead's own log."""
            record = self.unsent.pop(session, None) or self.records.get(session)
            if record is None:
                return
            batch = [record] if record["id"] not in self.records else []
            if with_log:
                batch.append(self.coded_log(record, minute, levels))
            self.send_batch(batch)

        @rule(session=sessions, phone=st.integers(1, 2), minute=st.integers(-5, 200),
              levels=st.dictionaries(st.sampled_from(SEVEN), st.integers(0, 2)), walk=st.booleans())
        def colleague_logs(self, session, phone, minute, levels, walk):
            """A colleague typed the code: their log syncs before or after the session, inside its window or not."""
            record = self.unsent.get(session) or self.records.get(session)
            if record is None:
                return
            batch = []
            log = self.coded_log(record, minute, levels)
            if walk:  # logged on the colleague's own walk: its stop moves that walk's listening time
                log["walk_id"] = str(uuid.uuid4())
                batch.append({"type": "walk", "id": log["walk_id"], "version": 1,
                              "started_at": record["started_at"], "ended_at": None})
            batch.append(log)
            self.send_as(phone, batch)
            self.joined[log["id"]] = (phone, log)

        @rule(phone_log=st.data(), minute=st.integers(-5, 200), levels=st.dictionaries(st.sampled_from(SEVEN), st.integers(0, 2)))
        def colleague_edits(self, phone_log, minute, levels):
            """A colleague edits their co-listened log: its levels, or its time (maybe out of the window)."""
            if not self.joined:
                return
            log_id = phone_log.draw(st.sampled_from(sorted(self.joined)))
            phone, log = self.joined[log_id]
            moved = datetime.fromisoformat(log["observed_at"]) + timedelta(minutes=minute - 100)
            edited = {**log, "version": log["version"] + 1, "observed_at": moved.isoformat(), "trait_levels": levels}
            self.send_as(phone, [edited])
            self.joined[log_id] = (phone, edited)

        @rule(phone_log=st.data())
        def colleague_deletes(self, phone_log):
            if not self.joined:
                return
            log_id = phone_log.draw(st.sampled_from(sorted(self.joined)))
            phone, log = self.joined.pop(log_id)
            self.send_as(phone, [{"type": "deletion", "id": log_id, "entity": "observation", "version": log["version"] + 1}])

        @rule(pick=st.data(), delete_it=st.booleans(), levels=st.dictionaries(st.sampled_from(SEVEN), st.integers(0, 2)))
        def lead_edits_or_deletes(self, pick, delete_it, levels):
            """The lead changes their co-listened log's levels, or deletes it (the count passes to a colleague's)."""
            coded = sorted(record_id for record_id, record in self.records.items() if record.get("colisten_code"))
            if not coded:
                return
            record = self.records[pick.draw(st.sampled_from(coded))]
            if delete_it:
                self.send_batch([{"type": "deletion", "id": record["id"], "entity": "observation",
                                  "version": record["version"] + 1}])
            else:
                self.send_batch([{**record, "version": record["version"] + 1, "trait_levels": levels}])

        @rule(session=sessions, after=st.integers(1, 120))
        def lead_ends(self, session, after):
            """The lead taps End co-listen: the session's window closes `after` minutes in (a new version of
            its record; unsent, it replaces the start in the outbox), so later logs leave it."""
            unsent = self.unsent.get(session)
            record = unsent or self.records.get(session)
            if record is None:
                return
            closes = datetime.fromisoformat(record["started_at"]) + timedelta(minutes=after)
            if closes >= datetime.fromisoformat(record["expires_at"]):
                return
            ended = {**record, "version": record["version"] + 1, "expires_at": closes.isoformat()}
            if unsent:
                self.unsent[session] = ended
            else:
                self.send_batch([ended])

        @rule(target=sessions, code=st.sampled_from(CODES), day=st.sampled_from(DAYS), start=st.integers(22 * 60, 23 * 60 + 50),
              minutes=st.lists(st.integers(0, 300), min_size=2, max_size=3),
              levels=st.lists(st.dictionaries(st.sampled_from(SEVEN), st.integers(0, 2)), min_size=3, max_size=3))
        def co_listen_past_midnight(self, code, day, start, minutes, levels):
            """A late co-listen (a 12-hour window) whose logs fall either side of midnight: its
            conversation spans two local days, and a date range may cut it in two."""
            session = {"type": "colisten", "id": str(uuid.uuid4()), "version": 1, "code": code,
                       "started_at": stamp(day, start), "expires_at": stamp(day, start + 720)}
            logs = [self.coded_log(session, minute, level) for minute, level in zip(minutes, levels)]
            self.send_batch([session, logs[0]])
            for phone, log in zip((1, 2), logs[1:]):
                self.send_as(phone, [log])
                self.joined[log["id"]] = (phone, log)
            return session["id"]

        @rule(session=sessions, shift=st.integers(-120, 120), length=st.integers(10, 720))
        def lead_moves_session(self, session, shift, length):
            """The lead corrects a synced co-listen's window: logs join or leave its conversation."""
            record = self.records.get(session)
            if record is None:
                return
            started = datetime.fromisoformat(record["started_at"]) + timedelta(minutes=shift)
            self.send_batch([{**record, "version": record["version"] + 1, "started_at": started.isoformat(),
                              "expires_at": (started + timedelta(minutes=length)).isoformat()}])

        def coded_log(self, session: dict, minute: int, levels: dict) -> dict:
            at = datetime.fromisoformat(session["started_at"]) + timedelta(minutes=minute)
            return {"type": "observation", "id": str(uuid.uuid4()), "version": 1, "walk_id": None,
                    "rubric_id": rubric_id, "location_id": places[minute % 3], "observed_at": at.isoformat(),
                    "trait_levels": levels, "colisten_code": session["code"]}

        def send_as(self, phone: int, batch: list[dict]) -> None:
            response = phones[phone].post("/api/v1/sync", json={"school_id": school_id, "records": batch})
            assert response.status_code == 200, response.get_data(as_text=True)
            assert {result["status"] for result in response.get_json()["results"]} == {"stored"}, response.get_json()

        @rule()
        def rebuild_gives_the_same_tables(self):
            """The maintained rollup is what a rebuild from the raw rows (counted logs only) gives."""
            db.session.expire_all()
            maintained = table_rows(db)
            rollup.rebuild(school_id)
            db.session.commit()
            assert table_rows(db) == maintained

        @invariant()
        def each_co_listened_conversation_counts_once(self):
            db.session.expire_all()
            sessions = [{"id": row.id, "code": row.code, "started_at": row.started_at, "expires_at": row.expires_at,
                         "lead": row.lead_observer_id} for row in db.session.scalars(select(ColistenSession))]
            rows = db.session.execute(select(Observation.id, Observation.observer_id, Observation.colisten_code,
                                             Observation.observed_at, Observation.colisten_id, Observation.counted)
                                      .where(Observation.deleted_at.is_(None))).all()
            logs = [{"id": row.id, "observer": row.observer_id, "code": row.colisten_code,
                     "observed_at": row.observed_at} for row in rows]
            assert {row.id: (row.colisten_id, row.counted) for row in rows} == expected_links(sessions, logs)

        @invariant()
        def derived_tables_equal_raw(self):
            """The rollup, the digest and the calibration summary beside the raw rows. Compared again only
            when a row changed: a step that stored nothing (a record already deleted, a re-send, a
            rebuild) would give the same comparison, and comparing is ~900 queries (most of this test's
            time); the database is read once a step for both comparisons."""
            db.session.expire_all()
            rows = database_rows()
            if rows == self.compared:
                return
            for name, from_rollup, from_raw in tallies_by_source((school_id,), trait_ids):
                assert from_rollup == from_raw, name
            for name, digested, from_raw in digested_by_source(school_id, trait_ids, rubric_id):
                assert digested == from_raw, name
            assert school_id in rollup.built_schools([school_id])  # the figures are read from the summary
            for name, kept, from_raw in summary_by_source(school_id, rubric_id):
                assert kept == from_raw, name
            self.compared = rows

    run_state_machine_as_test(Devices, settings=settings(
        max_examples=int(os.environ.get("HALLPULSE_ROLLUP_EXAMPLES", "12")), stateful_step_count=14, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))


def test_rebuild_gives_the_same_tables_as_the_maintenance(db, school, syncing):
    """A semester's worth of syncs in miniature, kept up on write; then rebuilt from scratch."""
    client, rubric_id = syncing, factories.default_rubric().id
    places = [location.id for location in school.locations]
    records = []
    for index, day in enumerate(DAYS * 3):
        walk_id = str(uuid.uuid4())
        records.append({"type": "walk", "id": walk_id, "version": 1, "started_at": stamp(day, 7 * 60 + 37 * index),
                        "ended_at": stamp(day, 7 * 60 + 37 * index + 50)})
        for offset in (5, 20, 41):
            records.append({"type": "observation", "id": str(uuid.uuid4()), "version": 1, "walk_id": walk_id,
                            "rubric_id": rubric_id, "location_id": places[(index + offset) % 3],
                            "observed_at": stamp(day, 7 * 60 + 37 * index + offset), "team": ["Math", None][offset % 2],
                            "conversation_kind": ["plc", "hallway_chat", "lunch"][index % 3],
                            "trait_levels": {SEVEN[(index + offset) % 7]: 1 + offset % 2}})
    assert client.post("/api/v1/sync", json={"school_id": school.id, "records": records}).status_code == 200
    edited = {**records[2], "version": 2, "location_id": places[0], "trait_levels": {"action": 2}}
    gone = {"type": "deletion", "id": records[5]["id"], "entity": "observation", "version": 2}
    assert client.post("/api/v1/sync", json={"school_id": school.id, "records": [edited, gone]}).status_code == 200
    db.session.expire_all()
    maintained = table_rows(db)

    rollup.rebuild()
    db.session.commit()

    assert maintained["traits"] and maintained["places"] and maintained["conversations"] and maintained["walk_time"]
    assert table_rows(db) == maintained


def test_a_school_without_a_rollup_is_read_raw_until_rebuilt(db, school, login_as):
    add_observation(db, school, "2026-11-10 08:40", "Main hallway", None, {"substantive": 1})
    db.session.commit()
    client, _ = login_as("viewer")

    before = client.get(f"/api/v1/heatmaps/schools/{school.id}/quality").get_json()
    rollup.rebuild(school.id)
    db.session.commit()
    after = client.get(f"/api/v1/heatmaps/schools/{school.id}/quality").get_json()

    assert (before["source"], after["source"]) == ("raw", "rollup")
    assert before["rows"] == after["rows"]


def test_a_changed_bell_schedule_is_never_read_from_a_stale_rollup(db, school, login_as):
    from server.schools.models import Period

    add_observation(db, school, "2026-11-10 08:40", "Main hallway", None)
    rollup.rebuild(school.id)
    period = db.session.scalar(select(Period).where(Period.school_id == school.id, Period.name == "Period 1"))
    period.name, period.ends_at = "First block", datetime(2026, 1, 1, 8, 30).time()
    db.session.commit()
    client, _ = login_as("viewer")

    body = client.get(f"/api/v1/heatmaps/schools/{school.id}/frequency", query_string={"measure": "count"}).get_json()

    assert body["source"] == "raw"
    assert [c["label"] for c in body["columns"]][:3] == ["Before school", "First block", "Period 2"]
    assert table_cell(body, "Main hallway", "Between periods")["value"] == 1  # 08:40 is no longer in a period


def test_a_day_with_two_rubrics_reads_each_rubrics_tallies_apart(db, school):
    """The digest counts conversations and a rubric's trait tallies in one pass when every row of a group
    is of the view's rubric; a day that also holds another rubric's conversations (a school moving to
    a new rubric mid-week) must still count each rubric's traits only, and conversations whatever their
    rubric, as the raw rows do."""
    from server.rubrics.models import Rubric, Trait

    second = Rubric(district_id=school.district_id, key="second", name="Second", description="")
    second.traits = [Trait(key=f"t{index}", label=f"T{index}", description="", position=index) for index in range(3)]
    db.session.add(second)
    db.session.flush()
    observer = factories.create_user("observer", school)
    add_observation(db, school, "2026-11-10 08:40", "Main hallway", levels={"substantive": 2, "evidence": 1},
                    team="Math", observer=observer)
    add_observation(db, school, "2026-11-12 09:10", "Main hallway", levels={"evidence": 1}, observer=observer)
    add_observation(db, school, "2026-11-10 10:00", "Main hallway", levels={"t1": 2}, team="Math", observer=observer,
                    rubric=second)
    db.session.commit()
    rollup.rebuild(school.id)
    db.session.commit()

    for rubric in (factories.default_rubric(), second):
        trait_ids = [trait.id for trait in rubric.traits] + [CONVERSATIONS]
        compared = digested_by_source(school.id, trait_ids, rubric.id)
        assert any(digested for name, digested, _ in compared if "grain=week" in name)
        for name, digested, from_raw in compared:
            assert digested == from_raw, (rubric.key, name)
