"""Sync ingest: observations/s through POST /api/v1/sync versus a bare Core executemany of the same rows.

    python bench/sync_ingest.py [--engine sqlite|postgresql] [--batches N] [--linked SHARE]

Both paths run in the same process on the same fresh database, batch by batch in turn (so table
growth weighs on both alike): 200 new observations with 7 trait levels each per batch, one
transaction per batch. The sync path is the whole request through the Flask test client (session
lookup, CSRF, JSON parsing, validation, upsert, response) with the body already encoded, as a phone
sends it; the baseline is two executemany INSERTs of rows already built. The ratio sync/baseline is
the figure.
The sync path also keeps the heatmap rollup up to date (server/heatmaps/upkeep.py); the time that
takes is timed separately. Targets: at least 0.5 without that upkeep (the capture issue), at least
0.35 with it (the heatmaps issue). Each batch covers two new school days (~100 observations a day,
a realistic density). `--linked 0.3` links that share of the logs to a planned occurrence (issue 16:
40 weekly plans, the link a day the plan meets; the baseline rows carry the same columns). Once set up, the process freezes its startup objects out of the garbage
collector's sight, as a served worker does (server/gunicorn_conf.py).
Tables are never ANALYZEd while empty (a PostgreSQL trap: FK checks then plan sequential scans).
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BATCH = 200
PASSWORD = "correct horse battery staple"
PG_ADMIN_URL = os.environ.get("HALLPULSE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
TRAIT_KEYS = ("substantive", "evidence", "questions", "non_defensive", "people", "professional_knowledge", "action")
KINDS = ("hallway_chat", "lounge", "plc", "data_team", "coaching_session")
FIRST_DAY = datetime(2025, 9, 1, 7, 30, tzinfo=timezone(timedelta(hours=-5)))
DAYS_PER_BATCH = 2


def fresh_database(engine: str) -> tuple[str, callable]:
    """A new empty database: (SQLAlchemy URL, clean-up)."""
    if engine == "sqlite":
        folder = tempfile.mkdtemp(prefix="hallpulse-bench-")
        return f"sqlite:///{folder}/bench.db", lambda: None
    import psycopg

    name = f"hallpulse_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}", drop


def build_app(url: str):
    os.environ.setdefault("HALLPULSE_INSTANCE", tempfile.mkdtemp(prefix="hallpulse-bench-instance-"))
    from server import create_app
    from tests.conftest import EASED_HASHING

    return create_app({
        "HALLPULSE_ENV": "testing", "TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_STORAGE_URI": "memory://", **EASED_HASHING,
        "INSTANCE_DIR": os.environ["HALLPULSE_INSTANCE"],
    })


def seed():
    """A school with a few places and an observer; returns (school, user, location ids, traits by key)."""
    from server.auth import service as auth_service
    from server.db import db
    from server.enums import LocationKind, Role
    from server.rubrics.models import Rubric
    from server.schools.models import District, Location, School

    district = District(name="Bench District")
    db.session.add(district)
    db.session.flush()
    school = School(name="Bench Middle School", district_id=district.id, timezone="America/Chicago")
    db.session.add(school)
    db.session.flush()
    places = [Location(school_id=school.id, name=f"Place {n}", kind=LocationKind.HALLWAY) for n in range(12)]
    db.session.add_all(places)
    user = auth_service.create_user("dana@example.org", "Dana Reyes", PASSWORD)
    auth_service.grant_role(user, Role.OBSERVER, school=school)
    db.session.commit()
    rubric = db.session.scalar(db.select(Rubric).where(Rubric.is_default.is_(True), Rubric.district_id.is_(None)))
    return school, user, [p.id for p in places], {t.key: t.id for t in rubric.traits}, rubric.id


PLANS_BY_WEEKDAY: dict[int, list[int]] = {}  # --linked: the seeded plans' ids by the weekday they meet
LINKED = [0.0]


def seed_plans(school_id: int, location_ids: list[int]) -> None:
    """40 weekly plans over the benchmark's school year, 8 on each school day."""
    from datetime import date, time as clock

    from server.db import db
    from server.enums import ConversationKind, PlanFrequency
    from server.plans.models import PlannedConversation, PlanSchedule

    for n in range(40):
        plan = PlannedConversation(school_id=school_id, name=f"Plan {n}", purpose="Bench", kind=ConversationKind.PLC,
                                   location_id=location_ids[n % len(location_ids)], focus_traits=[], schedules=[PlanSchedule(
                                       version=1, frequency=PlanFrequency.WEEKLY, weekdays=[n % 5], starts_at=clock(8 + n // 5),
                                       ends_at=clock(9 + n // 5), first_day=date(2025, 9, 1), last_day=date(2026, 9, 30),
                                       added_dates=[], cancelled_dates=[])])
        db.session.add(plan)
        db.session.flush()
        PLANS_BY_WEEKDAY.setdefault(n % 5, []).append(plan.id)
    db.session.commit()


def link(record: dict, rng: random.Random) -> dict:
    """A share of the logs (--linked) name a planned occurrence on their own day, when a plan meets that day."""
    day = datetime.fromisoformat(record["observed_at"]).date()
    plans = PLANS_BY_WEEKDAY.get(day.weekday())
    if plans and rng.random() < LINKED[0]:
        record.update(plan_id=rng.choice(plans), plan_day=day.isoformat())
    return record


def sync_records(rubric_id: int, location_ids: list[int], rng: random.Random, number: int) -> list[dict]:
    """One batch as the PWA sends it: two school days of a device catching up (about 100 a day)."""
    first_day = FIRST_DAY + timedelta(days=DAYS_PER_BATCH * number)
    return [link(record, rng) for record in _plain_records(rubric_id, location_ids, rng, first_day)]


def _plain_records(rubric_id: int, location_ids: list[int], rng: random.Random, first_day: datetime) -> list[dict]:
    return [
        {
            "type": "observation", "id": str(uuid.uuid4()), "version": 1, "walk_id": None,
            "rubric_id": rubric_id, "location_id": rng.choice(location_ids),
            "observed_at": (first_day + timedelta(days=index % DAYS_PER_BATCH, seconds=rng.randrange(8 * 3600))).isoformat(),
            "setting": None, "conversation_kind": rng.choice(KINDS), "participant_count": rng.randint(2, 6),
            "participant_roles": ["teacher"], "team": "Grade 7", "note": None, "needs_follow_up": False,
            "trait_levels": {key: rng.randint(0, 2) for key in TRAIT_KEYS},
        }
        for index in range(BATCH)
    ]


def baseline_rows(school_id: int, observer_id: int, rubric_id: int, location_ids, traits, rng: random.Random, number: int):
    """Rows like those the sync path writes (every column), ready for executemany.

    They fall on other days than the synced ones, so the synced days keep a realistic density for
    the heatmap rollup the sync path keeps up.
    """
    from server.enums import ConversationKind

    now = datetime.now(timezone.utc)
    observations, levels = [], []
    for record in sync_records(rubric_id, location_ids, rng, number + 100):
        observed_at = datetime.fromisoformat(record["observed_at"])
        record_id = uuid.UUID(record["id"])
        observations.append({
            "id": record_id, "school_id": school_id, "observer_id": observer_id, "walk_id": None,
            "rubric_id": rubric_id, "location_id": record["location_id"], "observed_at": observed_at,
            "utc_offset_minutes": int(observed_at.utcoffset().total_seconds() // 60), "local_date": observed_at.date(),
            "setting": ConversationKind(record["conversation_kind"]).setting.value,
            "conversation_kind": record["conversation_kind"], "participant_count": record["participant_count"],
            "participant_roles": ["teacher"], "team": "Grade 7", "note": None, "needs_follow_up": False,
            "version": 1, "content_hash": "0" * 64, "deleted_at": None, "created_at": now, "updated_at": now,
            "change_seq": number + 1, "plan_id": record.get("plan_id"),
            "plan_day": datetime.fromisoformat(record["plan_day"]).date() if record.get("plan_day") else None,
        })
        levels += [{"observation_id": record_id, "trait_id": traits[key], "level": level}
                   for key, level in record["trait_levels"].items()]
    return observations, levels


def timing_rollup_upkeep(spent: list[float]) -> None:
    """Time the heatmap rollup's upkeep inside each sync (the wrapper only measures; it changes nothing)."""
    from server.heatmaps import upkeep

    kept_up = upkeep.kept_up

    @contextlib.contextmanager
    def timed(*args, **kwargs):
        wrapped = kept_up(*args, **kwargs)
        started = time.perf_counter()
        inserted = wrapped.__enter__()
        before = time.perf_counter() - started
        yield inserted
        started = time.perf_counter()
        wrapped.__exit__(None, None, None)
        spent.append(before + time.perf_counter() - started)

    upkeep.kept_up = timed


def settle_wal(engine) -> None:
    """SQLite: checkpoint the WAL before each timed part, so neither path pays for copying the other's
    pages into the database file (an automatic checkpoint lands on whichever commit crosses 1,000 pages)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def signed_in_client(app, email: str):
    client = app.test_client()
    token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    return client, client.get("/api/v1/auth/csrf").get_json()["csrf_token"]


def run(engine: str, batches: int, warmup: int) -> dict:
    from sqlalchemy import insert

    from server.cli import upgrade_database
    from server.db import db
    from server.gunicorn_conf import freeze_startup_objects
    from server.observations.models import Observation, ObservationTraitLevel

    url, drop = fresh_database(engine)
    rng = random.Random(7)
    try:
        app = build_app(url)
        with app.app_context():
            upgrade_database()
            school, user, location_ids, traits, rubric_id = seed()
            if LINKED[0]:
                seed_plans(school.id, location_ids)
            school_id, user_id = school.id, user.id
            client, token = signed_in_client(app, "dana@example.org")
            freeze_startup_objects()  # as a served worker does once the app is loaded
            sync_times, core_times, upkeep_times, rollup_times = [], [], [], []
            timing_rollup_upkeep(upkeep_times)
            for number in range(warmup + batches):
                body = json.dumps({"school_id": school_id, "records": sync_records(rubric_id, location_ids, rng, number)})
                observations, levels = baseline_rows(school_id, user_id, rubric_id, location_ids, traits, rng, number)

                settle_wal(db.engine)
                started = time.perf_counter()
                with db.engine.begin() as connection:
                    connection.execute(insert(Observation.__table__), observations)
                    connection.execute(insert(ObservationTraitLevel.__table__), levels)
                core = time.perf_counter() - started

                upkeep_times.clear()
                settle_wal(db.engine)
                started = time.perf_counter()
                response = client.post("/api/v1/sync", data=body, content_type="application/json",
                                       headers={"X-CSRFToken": token})
                synced = time.perf_counter() - started
                upkeep = sum(upkeep_times)
                assert response.status_code == 200, response.get_data(as_text=True)[:300]
                assert all(r["status"] == "stored" for r in response.get_json()["results"])
                if number >= warmup:
                    core_times.append(core)
                    sync_times.append(synced)
                    rollup_times.append(upkeep)
            db.session.remove()
            db.engine.dispose()
    finally:
        gc.unfreeze()
        drop()
    return {"sync": sync_times, "core": core_times, "rollup": rollup_times}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--linked", type=float, default=0.0, help="share of logs linked to a planned occurrence")
    args = parser.parse_args(argv)
    LINKED[0] = args.linked
    if not 1 <= args.batches <= 100:
        parser.error("--batches must be between 1 and 100 (each batch covers two new school days)")
    times = run(args.engine, args.batches, args.warmup)
    observations = BATCH * args.batches
    sync_rate = observations / sum(times["sync"])
    core_rate = observations / sum(times["core"])
    print(f"engine: {args.engine}  batches: {args.batches} × {BATCH} observations (+7 trait levels each), "
          f"linked to a plan: {args.linked:.0%}")
    print(f"POST /api/v1/sync     {sync_rate:9,.0f} obs/s   median {statistics.median(times['sync']) * 1000:6.1f} ms/batch")
    print(f"Core executemany      {core_rate:9,.0f} obs/s   median {statistics.median(times['core']) * 1000:6.1f} ms/batch")
    ingest_rate = observations / (sum(times["sync"]) - sum(times["rollup"]))
    print(f"  of which rollup     {statistics.median(times['rollup']) * 1000:22.1f} ms/batch (heatmap upkeep)")
    print(f"ratio sync/baseline   {sync_rate / core_rate:9.2f}   (target ≥ 0.35 with the heatmap upkeep)")
    print(f"ratio without upkeep  {ingest_rate / core_rate:9.2f}   (target ≥ 0.5: the sync path's own cost)")


if __name__ == "__main__":
    main()
