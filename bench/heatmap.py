"""Heatmaps at a district's scale: every view through the real app beside a hand-written raw GROUP BY.

    python bench/heatmap.py --engine both                      # 1M observations, 50 schools, 5 zones
    python bench/heatmap.py --engine sqlite --observations 100000 --repeat 5

Generates one school year (deterministic seed) and bulk-loads it (SQLite: executemany on the raw
connection in primary-key order; PostgreSQL: COPY), then ANALYZEs the loaded tables and rebuilds the
rollup. Each view is requested through the Flask app (signed in as the district admin, the real
access checks, schemas and JSON) and timed as the median of repeated requests after one warm-up;
beside it the same table from one hand-written GROUP BY over the raw rows, in the same run.
Finally sync ingest through POST /api/v1/sync (with the rollup kept up) is compared with plain
SQLAlchemy Core executemany of the same rows. Prints every figure and ratio; docs/performance.md
records a run. Only loopback databases are used.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, time as clock, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles")
KINDS = (("informal", "hallway_chat"), ("informal", "lounge"), ("informal", "lunch"), ("informal", "before_after_school"),
         ("informal", "parking_lot"), ("formal", "plc"), ("formal", "data_team"), ("formal", "grade_department_meeting"),
         ("formal", "post_observation_conference"), ("formal", "learning_walk_debrief"), ("formal", "coaching_session"),
         ("formal", "planning_session"))
PLACE_KINDS = ("hallway", "hallway", "hallway", "lounge", "library", "cafeteria", "meeting_room", "meeting_room",
               "office", "office", "classroom", "outdoors")
TEAMS = ("Grade 6", "Grade 7", "Grade 8", "Math", "ELA", "Science", "Special education", None)
PERIODS = [("Before school", "07:00", "07:45")] + [
    (f"Period {i + 1}", f"{7 + (45 + 55 * i) // 60:02d}:{(45 + 55 * i) % 60:02d}",
     f"{7 + (45 + 55 * (i + 1)) // 60:02d}:{(45 + 55 * (i + 1)) % 60:02d}") for i in range(4)
] + [("Lunch", "11:25", "12:10")] + [
    (f"Period {i + 5}", f"{12 + (10 + 55 * i) // 60:02d}:{(10 + 55 * i) % 60:02d}",
     f"{12 + (10 + 55 * (i + 1)) // 60:02d}:{(10 + 55 * (i + 1)) % 60:02d}") for i in range(3)
] + [("After school", "14:55", "16:30")]
FIRST_DAY, LAST_DAY = date(2026, 8, 17), date(2027, 6, 4)
PASSWORD = "bench-password-not-secret-1"
PG_ADMIN = os.environ.get("HALLPULSE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
PG_DATABASE = os.environ.get("HALLPULSE_BENCH_DB", "hallpulse_bench")  # one per concurrent run: each drops its own


def school_days() -> list[date]:
    days, day = [], FIRST_DAY
    while day <= LAST_DAY:
        if day.weekday() < 5 and not (date(2026, 12, 21) <= day <= date(2027, 1, 1)):
            days.append(day)
        day += timedelta(days=1)
    return days


# ---------------------------------------------------------------- the data set

class Generator:
    """One school year for `schools` schools, drawn from one RNG: walks, observations and 7 levels each."""

    def __init__(self, seed: int, observations: int, schools: int, realistic: bool = False):
        self.rng = random.Random(seed)
        self.realistic = realistic  # some walks left open, ~8 % of logs outside any walk (bench/realistic.py)
        self.total, self.schools = observations, schools
        self.days = school_days()
        weights = [1 + 1.5 * i / max(1, schools - 1) for i in range(schools)]
        self.sizes = [round(observations * w / sum(weights)) for w in weights]
        self.counter = 0

    def next_id(self) -> uuid.UUID:
        """Increasing ids, so the bulk load appends to the primary-key index."""
        self.counter += 1
        return uuid.UUID(int=(0x5EED << 112) | self.counter)

    def school_rows(self, school_id: int, zone_name: str, place_ids: list[int], observer_id: int, trait_ids: list[int]):
        """(walks, observations, trait levels) as tuples in column order, for one school."""
        rng, zone = self.rng, ZoneInfo(zone_name)
        size = self.sizes[school_id - 1] if school_id - 1 < len(self.sizes) else 0
        per_day = size / len(self.days)
        walks, observations, levels = [], [], []
        remaining = size
        for index, day in enumerate(self.days):
            today = min(remaining, round(per_day * (index + 1)) - (size - remaining))
            remaining -= today
            while today > 0:
                count = min(today, rng.randint(2, 8))
                today -= count
                start = datetime.combine(day, clock(7), tzinfo=zone) + timedelta(minutes=rng.randint(0, 560))
                length = timedelta(minutes=rng.randint(15, 45))
                walk_id = self.next_id()
                start_utc, end_utc = start.astimezone(timezone.utc), (start + length).astimezone(timezone.utc)
                if self.realistic and rng.random() < 0.05:
                    end_utc = None  # left open
                walks.append((walk_id, school_id, observer_id, start_utc, end_utc))
                route = rng.sample(place_ids, rng.randint(1, 4))
                moments = sorted(rng.random() for _ in range(count))
                for position, fraction in enumerate(moments):
                    at = start_utc + length * fraction
                    setting, kind = KINDS[rng.randrange(len(KINDS))]
                    observation_id = self.next_id()
                    place = route[min(len(route) - 1, position * len(route) // count)]
                    outside = self.realistic and rng.random() < 0.08
                    observations.append((observation_id, school_id, observer_id, None if outside else walk_id, place, at,
                                         int(at.astimezone(zone).utcoffset().total_seconds() // 60),
                                         at.astimezone(zone).date(), setting, kind, TEAMS[rng.randrange(len(TEAMS))]))
                    formal = setting == "formal"
                    for trait_id in trait_ids:
                        roll = rng.random()
                        level = 2 if roll < (0.15 if formal else 0.05) else 1 if roll < (0.55 if formal else 0.25) else 0
                        levels.append((observation_id, trait_id, level))
        return walks, observations, levels


def create_app_for(url: str, instance: Path):
    os.environ["HALLPULSE_INSTANCE"] = str(instance)
    from server import create_app
    from tests.conftest import EASED_HASHING

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(instance), "HALLPULSE_ENV": "testing",
                       "TESTING": True, "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_ENABLED": False, **EASED_HASHING})


def fresh_database(engine: str, work: Path) -> str:
    if engine == "sqlite":
        path = work / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{PG_DATABASE}"


def set_priority(db, idle: bool) -> None:
    """Run this process, and the PostgreSQL backends serving its database, in idle CPU time or normally.

    `--idle-until` loads and rebuilds a large data set only on cores nothing else wants, so other
    benchmarks can measure on a quiet machine meanwhile; the views are then timed at normal priority.
    Needs root for the database server's processes (it is skipped where not allowed)."""
    policy = os.SCHED_IDLE if idle else os.SCHED_OTHER
    pids = [0]
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        with db.engine.connect() as connection:
            pids += [row[0] for row in connection.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))]
    for pid in pids:
        try:
            os.sched_setscheduler(pid, policy, os.sched_param(0))
        except (PermissionError, ProcessLookupError):
            pass


def idle_backends(engine):
    """Every new PostgreSQL connection of the load starts in idle CPU time too (see set_priority);
    returns the listener, to remove before measuring."""
    from sqlalchemy import event

    def idle(dbapi_connection, _record):
        pid = dbapi_connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        try:
            os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
        except (PermissionError, ProcessLookupError):
            pass

    event.listen(engine, "connect", idle)
    return idle


ROLLUP_TABLES = ("heatmap_trait_day", "heatmap_trait_week", "heatmap_place_day", "heatmap_school_day",
                 "heatmap_conversation", "heatmap_walk_time", "heatmap_state")


def settle_rollup(db, engine: str) -> None:
    """After the bulk rebuild, what autovacuum would soon do: statistics for the planner and, on
    PostgreSQL, the visibility map (without it an index-only scan reads the heap for every row)."""
    from sqlalchemy import text

    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ROLLUP_TABLES:
            connection.execute(text(f"{'VACUUM ' if engine == 'postgresql' else ''}ANALYZE {table}"))


def set_up_district(db, schools: int) -> dict:
    """District, schools (five zones), schedules, places, one observer per school and the district admin."""
    from sqlalchemy import insert, select

    from server.auth import service as auth_service
    from server.auth.models import Membership, User
    from server.enums import Role
    from server.rubrics.models import Rubric, Trait
    from server.schools.models import District, Location, Period, School

    district = District(name="Bench Unified")
    db.session.add(district)
    db.session.flush()
    admin = auth_service.create_user("admin@bench.example", "Bench Admin", PASSWORD)
    auth_service.grant_role(admin, Role.DISTRICT_ADMIN, district_id=district.id)
    now = datetime.now(timezone.utc)
    info = {"district_id": district.id, "schools": []}
    for index in range(schools):
        zone = ZONES[index % len(ZONES)]
        school = School(district_id=district.id, name=f"School {index + 1:02d}", timezone=zone)
        db.session.add(school)
        db.session.flush()
        db.session.execute(insert(Period), [{"school_id": school.id, "name": name, "starts_at": clock.fromisoformat(a),
                                             "ends_at": clock.fromisoformat(b)} for name, a, b in PERIODS])
        db.session.execute(insert(Location), [{"school_id": school.id, "name": f"Place {p + 1} ({kind})", "kind": kind,
                                               "created_at": now, "updated_at": now} for p, kind in enumerate(PLACE_KINDS)])
        user = User(email=f"observer{index + 1}@bench.example", name=f"Observer {index + 1}", password_hash=admin.password_hash,
                    active=True, created_at=now, updated_at=now)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, district_id=district.id, school_id=school.id, role=Role.OBSERVER))
        places = list(db.session.scalars(select(Location.id).where(Location.school_id == school.id).order_by(Location.id)))
        info["schools"].append({"id": school.id, "zone": zone, "places": places, "observer_id": user.id,
                                "observer_email": user.email})
    rubric = db.session.scalar(select(Rubric).where(Rubric.is_default.is_(True), Rubric.district_id.is_(None)))
    info["rubric_id"] = rubric.id
    info["trait_ids"] = list(db.session.scalars(select(Trait.id).where(Trait.rubric_id == rubric.id).order_by(Trait.position)))
    db.session.commit()
    return info


def bulk_load(db, engine: str, generator: Generator, info: dict) -> dict:
    """Insert every school's year; row counts, and seconds spent generating and inserting."""
    counts = {"walk": 0, "observation": 0, "observation_trait_level": 0, "seconds": 0.0, "generating": 0.0}
    raw = db.engine.raw_connection()
    try:
        if engine == "sqlite":  # a bulk load that is redone from scratch if it fails: no fsync per school
            raw.execute("PRAGMA synchronous=OFF")
            raw.execute("PRAGMA cache_size=-400000")
        else:  # generated consistent: skip the per-row foreign-key triggers (superuser, this session only)
            raw.driver_connection.execute("SET session_replication_role = replica")
        for school in info["schools"]:
            started = time.perf_counter()
            walks, observations, levels = generator.school_rows(school["id"], school["zone"], school["places"],
                                                                school["observer_id"], info["trait_ids"])
            counts["generating"] += time.perf_counter() - started
            started = time.perf_counter()
            if engine == "sqlite":
                load_sqlite(raw, walks, observations, levels)
            else:
                load_postgres(raw, walks, observations, levels)
            raw.commit()
            counts["seconds"] += time.perf_counter() - started
            counts["walk"] += len(walks)
            counts["observation"] += len(observations)
            counts["observation_trait_level"] += len(levels)
        if engine == "sqlite":
            raw.execute("PRAGMA synchronous=NORMAL")
        else:
            raw.driver_connection.execute("SET session_replication_role = DEFAULT")
            raw.commit()
    finally:
        raw.close()
    return counts


def sqlite_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.000000")


def load_sqlite(raw, walks, observations, levels) -> None:
    cursor = raw.cursor()
    cursor.executemany(
        "INSERT INTO walk (id, school_id, observer_id, started_at, ended_at, version, created_at, updated_at, change_seq) "
        "VALUES (?, ?, ?, ?, ?, 1, ?, ?, 1)",
        [(w[0].hex, w[1], w[2], sqlite_time(w[3]), w[4] and sqlite_time(w[4]), sqlite_time(w[3]), sqlite_time(w[3]))
         for w in walks])
    cursor.executemany(
        "INSERT INTO observation (id, school_id, observer_id, walk_id, rubric_id, location_id, observed_at, "
        "utc_offset_minutes, local_date, setting, conversation_kind, team, participant_roles, needs_follow_up, version, "
        "content_hash, created_at, updated_at, change_seq) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, '[]', 0, 1, '', ?, ?, 1)",
        [(o[0].hex, o[1], o[2], o[3] and o[3].hex, o[4], sqlite_time(o[5]), o[6], o[7].isoformat(), o[8], o[9], o[10],
          sqlite_time(o[5]), sqlite_time(o[5])) for o in observations])
    cursor.executemany("INSERT INTO observation_trait_level (observation_id, trait_id, level) VALUES (?, ?, ?)",
                       [(level[0].hex, level[1], level[2]) for level in levels])
    cursor.close()


def load_postgres(raw, walks, observations, levels) -> None:
    connection = raw.driver_connection
    with connection.cursor() as cursor:
        with cursor.copy("COPY walk (id, school_id, observer_id, started_at, ended_at, version, created_at, updated_at, "
                         "change_seq) FROM STDIN") as copy:
            for w in walks:
                copy.write_row((w[0], w[1], w[2], w[3], w[4], 1, w[3], w[3], 1))
        with cursor.copy("COPY observation (id, school_id, observer_id, walk_id, rubric_id, location_id, observed_at, "
                         "utc_offset_minutes, local_date, setting, conversation_kind, team, participant_roles, "
                         "needs_follow_up, version, content_hash, created_at, updated_at, change_seq) FROM STDIN") as copy:
            for o in observations:
                copy.write_row((o[0], o[1], o[2], o[3], 1, o[4], o[5], o[6], o[7], o[8], o[9], o[10], "[]", False, 1, "",
                                o[5], o[5], 1))
        with cursor.copy("COPY observation_trait_level (observation_id, trait_id, level) FROM STDIN") as copy:
            for level in levels:
                copy.write_row(level)


# ---------------------------------------------------------------- timing

def served_get(client, db, url: str, **options):
    """A GET through the app in its own transaction, as a served worker answers it: the bench holds one
    app context around its requests, so without this they shared one session and one transaction (a
    `SET LOCAL` of one request lasted into the next; no connection was checked out and pinged)."""
    try:
        return client.get(url, **options)
    finally:
        db.session.remove()


def median_ms(action, repeat: int) -> float:
    action()  # warm-up: caches, prepared plans
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


SHARES = "count(*), sum(CASE WHEN l.level >= 1 THEN 1 ELSE 0 END), sum(CASE WHEN l.level = 2 THEN 1 ELSE 0 END)"
LEVELS_JOIN = "FROM observation o JOIN observation_trait_level l ON l.observation_id = o.id"


def raw_baselines(engine: str, school_id: int, school_ids: list[int]) -> dict[str, str]:
    """Hand-written SQL for the same tables the views show (all rows fetched)."""
    ids = ",".join(map(str, school_ids))
    hour = "strftime('%H', o.observed_at)" if engine == "sqlite" else "extract(hour from o.observed_at)"
    live = "o.deleted_at IS NULL"
    return {
        "school quality (trait × kind)":
            f"SELECT o.conversation_kind, l.trait_id, {SHARES} {LEVELS_JOIN} WHERE o.school_id = {school_id} AND {live} "
            "GROUP BY o.conversation_kind, l.trait_id",
        "school trends (trait × day)":
            f"SELECT o.local_date, l.trait_id, {SHARES} {LEVELS_JOIN} WHERE o.school_id = {school_id} AND {live} "
            "GROUP BY o.local_date, l.trait_id",
        "school frequency (place × hour)":
            f"SELECT o.location_id, {hour}, count(*) FROM observation o WHERE o.school_id = {school_id} AND {live} "
            f"GROUP BY o.location_id, {hour}",
        "district quality (school × trait)":
            f"SELECT o.school_id, l.trait_id, {SHARES} {LEVELS_JOIN} WHERE o.school_id IN ({ids}) AND {live} "
            "GROUP BY o.school_id, l.trait_id",
        "district quality, formal only":
            f"SELECT o.school_id, l.trait_id, {SHARES} {LEVELS_JOIN} WHERE o.school_id IN ({ids}) AND {live} "
            "AND o.setting = 'formal' GROUP BY o.school_id, l.trait_id",
        "district frequency (school × day)":
            f"SELECT o.school_id, o.local_date, count(*) FROM observation o WHERE o.school_id IN ({ids}) AND {live} "
            "GROUP BY o.school_id, o.local_date",
    }


def hand_written(school_id: int, query: dict, group: str | None) -> str:
    """The raw GROUP BY computing the view's cells (frequency: conversations per place × hour, and the
    walks' listening spans, as the view needs both)."""
    where = [f"o.school_id = {school_id}", "o.deleted_at IS NULL"]
    if "observer_id" in query:
        where.append(f"o.observer_id = {query['observer_id']}")
    if "setting" in query:
        where.append(f"o.setting = '{query['setting']}'")
    if "conversation_kind" in query:
        where.append(f"o.conversation_kind = '{query['conversation_kind']}'")
    if "team" in query:
        where.append(f"o.team = '{query['team']}'")
    if "date_from" in query:
        where.append(f"o.local_date BETWEEN '{query['date_from']}' AND '{query['date_to']}'")
    if group is not None:
        return (f"SELECT l.trait_id, {group}, {SHARES} {LEVELS_JOIN} WHERE {' AND '.join(where)} "
                f"GROUP BY l.trait_id, {group}")
    walk_where = [f"w.school_id = {school_id}", "w.deleted_at IS NULL"]
    if "observer_id" in query:
        walk_where.append(f"w.observer_id = {query['observer_id']}")
    if "date_from" in query:
        walk_where.append(f"w.started_at >= '{query['date_from']}' AND w.started_at < '{query['date_to']} 23:59:59'")
    return (f"SELECT o.location_id, o.local_date, count(*), count(w.id) FROM observation o LEFT JOIN walk w "
            f"ON w.id = o.walk_id AND w.deleted_at IS NULL WHERE {' AND '.join(where)} GROUP BY o.location_id, o.local_date "
            f"UNION ALL SELECT 0, w.started_at, 0, 0 FROM walk w WHERE {' AND '.join(walk_where)}")


def measure_views(app, db, engine: str, info: dict, repeat: int) -> list[dict]:
    from sqlalchemy import text

    from tests.conftest import ApiClient

    school = max(info["schools"], key=lambda s: s["id"])  # the largest school (sizes grow with the id)
    sid, did = school["id"], info["district_id"]
    app.test_client_class = ApiClient
    client = app.test_client()
    assert client.post("/api/v1/auth/login", json={"email": "admin@bench.example", "password": PASSWORD}).status_code == 200
    baselines = raw_baselines(engine, sid, [s["id"] for s in info["schools"]])
    views = [
        ("school quality (trait × kind)", f"/api/v1/heatmaps/schools/{sid}/quality", f"/schools/{sid}/dashboard/quality"),
        ("school trends (trait × day)", f"/api/v1/heatmaps/schools/{sid}/trends", f"/schools/{sid}/dashboard/trends"),
        ("school frequency (place × hour)", f"/api/v1/heatmaps/schools/{sid}/frequency", f"/schools/{sid}/dashboard/frequency"),
        ("district quality (school × trait)", f"/api/v1/heatmaps/districts/{did}/quality", f"/district/{did}"),
        ("district frequency (school × day)", f"/api/v1/heatmaps/districts/{did}/frequency", None),
    ]
    results = []

    def get(url):
        response = served_get(client, db, url)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])

    for name, api_url, page_url in views:
        sql = baselines[name]

        def raw_query():
            with db.engine.connect() as connection:
                connection.execute(text(sql)).fetchall()

        row = {"view": name, "app_ms": median_ms(lambda: get(api_url), repeat), "raw_ms": median_ms(raw_query, repeat)}
        row["page_ms"] = median_ms(lambda: get(page_url), repeat) if page_url else None
        results.append(row)
    observer, term = {"observer_id": school["observer_id"]}, {"date_from": "2026-08-17", "date_to": "2026-12-18"}
    filtered = [  # name, the view's URL and query, the hand-written SQL of its cells
        ("quality by place, formal only", "quality", {"by": "place", "setting": "formal"},
         hand_written(sid, {"setting": "formal"}, "o.location_id")),
        ("quality by week, one team", "quality", {"by": "week", "team": "Math"},
         hand_written(sid, {"team": "Math"}, "o.local_date")),
        ("quality by team, one observer", "quality", {"by": "team", **observer}, hand_written(sid, observer, "o.team")),
        ("frequency, PLCs only", "frequency", {"conversation_kind": "plc"},
         hand_written(sid, {"conversation_kind": "plc"}, None)),
        ("frequency by weekday, one observer, one term", "frequency", {"columns": "weekday", **observer, **term},
         hand_written(sid, {**observer, **term}, None)),
        ("trends, formal only", "trends", {"setting": "formal"}, hand_written(sid, {"setting": "formal"}, "o.local_date")),
        ("district quality, formal only", None, {"setting": "formal"},
         baselines["district quality, formal only"]),
    ]
    for name, path, query, sql in filtered:
        url = (f"/api/v1/heatmaps/schools/{sid}/{path}" if path else f"/api/v1/heatmaps/districts/{did}/quality")
        url += "?" + urlencode(query)

        def raw_query():
            with db.engine.connect() as connection:
                connection.execute(text(sql)).fetchall()

        results.append({"view": f"filter: {name}", "app_ms": median_ms(lambda: get(url), max(3, repeat // 2)),
                        "raw_ms": median_ms(raw_query, max(3, repeat // 2)), "page_ms": None})
    return results


def measure_ingest(app, db, info: dict, batches: int) -> dict:
    """Sync through the app (rollup kept up) vs plain Core executemany of the same rows: a walk and 199
    conversations per batch, on a day the school already has data on."""
    from sqlalchemy import insert

    from server.observations.models import Observation, ObservationTraitLevel
    from sync_ingest import settle_wal
    from tests.conftest import ApiClient

    school = info["schools"][0]
    zone = ZoneInfo(school["zone"])
    keys = ("substantive", "evidence", "questions", "non_defensive", "people", "professional_knowledge", "action")
    rng = random.Random(7)
    app.test_client_class = ApiClient
    client = app.test_client()
    assert client.post("/api/v1/auth/login", json={"email": school["observer_email"], "password": PASSWORD}).status_code == 200
    client.refresh_csrf()

    def batch(day_offset: int) -> list[dict]:
        # Days the school already has data on, and never in the future: the server refuses records
        # dated more than a day ahead (the data set's year runs past today).
        day = min(date.today(), LAST_DAY) - timedelta(days=1 + day_offset)
        start = datetime.combine(day, clock(8), tzinfo=zone)
        walk_id = str(uuid.uuid4())
        records = [{"type": "walk", "id": walk_id, "version": 1, "started_at": start.isoformat(),
                    "ended_at": (start + timedelta(minutes=40)).isoformat()}]
        for index in range(199):
            setting, kind = KINDS[rng.randrange(len(KINDS))]
            records.append({"type": "observation", "id": str(uuid.uuid4()), "version": 1, "walk_id": walk_id,
                            "rubric_id": info["rubric_id"], "location_id": school["places"][index % 4],
                            "observed_at": (start + timedelta(seconds=12 * index)).isoformat(), "setting": setting,
                            "conversation_kind": kind, "team": TEAMS[index % len(TEAMS)],
                            "trait_levels": {key: rng.randint(0, 2) for key in keys}})
        return records

    def plain_rows(records: list[dict]) -> tuple[list[dict], list[dict]]:
        observations, levels = [], []
        for record in records[1:]:
            observed_at = datetime.fromisoformat(record["observed_at"])
            observation_id = uuid.uuid4()
            observations.append({
                "id": observation_id, "school_id": school["id"], "observer_id": school["observer_id"], "walk_id": None,
                "rubric_id": record["rubric_id"], "location_id": record["location_id"], "observed_at": observed_at,
                "utc_offset_minutes": int(observed_at.utcoffset().total_seconds() // 60), "local_date": observed_at.date(),
                "setting": record["setting"], "conversation_kind": record["conversation_kind"], "team": record["team"],
                "participant_roles": [], "needs_follow_up": False, "version": 1, "content_hash": "",
                "created_at": observed_at, "updated_at": observed_at, "note": None, "participant_count": None,
                "deleted_at": None, "change_seq": 1})
            levels += [{"observation_id": observation_id, "trait_id": trait_id, "level": record["trait_levels"][key]}
                       for key, trait_id in zip(keys, info["trait_ids"])]
        return observations, levels

    # Batch by batch in turn, the WAL settled before each timed part (as bench/sync_ingest.py does);
    # the plain rows go to other days (60 earlier), so the synced days keep the data set's density.
    sync_times, plain_times = [], []
    for number in range(batches):
        observations, levels = plain_rows(batch(number + 60))
        settle_wal(db.engine)
        started = time.perf_counter()
        with db.engine.begin() as connection:
            connection.execute(insert(Observation.__table__), observations)
            connection.execute(insert(ObservationTraitLevel.__table__), levels)
        plain_times.append(time.perf_counter() - started)
        body = json.dumps({"school_id": school["id"], "records": batch(number)})
        settle_wal(db.engine)
        started = time.perf_counter()
        response = client.post("/api/v1/sync", data=body, content_type="application/json")
        sync_times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert all(result["status"] == "stored" for result in response.get_json()["results"]), response.get_json()["results"][:2]
    sync_rate = 199 / statistics.median(sync_times)
    plain_rate = 199 / statistics.median(plain_times)
    return {"sync_obs_s": sync_rate, "plain_obs_s": plain_rate, "ratio": sync_rate / plain_rate,
            "sync_ms": statistics.median(sync_times) * 1000, "plain_ms": statistics.median(plain_times) * 1000}


def run(engine: str, args) -> None:
    from server.cli import upgrade_database
    from server.db import db
    from server.gunicorn_conf import freeze_startup_objects
    from server.heatmaps import rollup

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    url = fresh_database(engine, work)
    app = create_app_for(url, work / "instance")
    with app.app_context():
        listener = None
        if args.idle_until:
            set_priority(db, idle=True)
            listener = idle_backends(db.engine) if engine == "postgresql" else None
        upgrade_database()
        info = set_up_district(db, args.schools)
        generator = Generator(args.seed, args.observations, args.schools)
        loaded = bulk_load(db, engine, generator, info)
        rows = loaded["walk"] + loaded["observation"] + loaded["observation_trait_level"]
        print(f"[{engine}] loaded {loaded['observation']:,} observations, {loaded['observation_trait_level']:,} trait "
              f"levels, {loaded['walk']:,} walks in {loaded['seconds']:.1f} s: {rows / loaded['seconds']:,.0f} rows/s "
              f"(generating them took another {loaded['generating']:.1f} s)")
        if args.load_only:
            db.session.remove()
            db.engine.dispose()
            return
        with db.engine.begin() as connection:
            from sqlalchemy import text

            for table in ("walk", "observation", "observation_trait_level", "location", "school"):
                connection.execute(text(f"ANALYZE {table}"))
        started = time.perf_counter()
        rollup.rebuild()
        db.session.commit()
        print(f"[{engine}] rollup rebuilt in {time.perf_counter() - started:.1f} s")
        settle_rollup(db, engine)
        if args.idle_until:
            print(f"[{engine}] loaded and rebuilt; waiting for {args.idle_until} to exist", flush=True)
            while not Path(args.idle_until).exists():
                time.sleep(5)
            if listener is not None:
                from sqlalchemy import event

                event.remove(db.engine, "connect", listener)
            db.engine.dispose()  # the measured requests run on new connections, at normal priority
            set_priority(db, idle=False)
        freeze_startup_objects()  # as a served worker does once the app is loaded
        results = measure_views(app, db, engine, info, args.repeat)
        print(f"[{engine}] {'view':<52} {'app ms':>8} {'raw SQL ms':>11} {'ratio':>7} {'page ms':>8}")
        for row in results:
            ratio = f"{row['app_ms'] / row['raw_ms']:.3f}" if row["raw_ms"] else "–"
            raw_ms = f"{row['raw_ms']:.1f}" if row["raw_ms"] else "–"
            page_ms = f"{row['page_ms']:.1f}" if row["page_ms"] else "–"
            print(f"[{engine}] {row['view']:<52} {row['app_ms']:>8.1f} {raw_ms:>11} {ratio:>7} {page_ms:>8}")
        if args.ingest_batches:
            ingest = measure_ingest(app, db, info, args.ingest_batches)
            print(f"[{engine}] ingest, 199 observations per batch: sync {ingest['sync_obs_s']:,.0f} obs/s "
                  f"({ingest['sync_ms']:.1f} ms/batch) vs plain executemany {ingest['plain_obs_s']:,.0f} obs/s "
                  f"({ingest['plain_ms']:.1f} ms/batch): ratio {ingest['ratio']:.2f}")
        db.session.remove()
        db.engine.dispose()
        gc.unfreeze()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--ingest-batches", type=int, default=15)
    parser.add_argument("--load-only", action="store_true", help="Generate and load the data set, then stop.")
    parser.add_argument("--idle-until", metavar="FILE",
                        help="Load and rebuild in idle CPU time, then wait for FILE to exist before measuring.")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "hallpulse-bench"))
    args = parser.parse_args()
    for engine in (("sqlite", "postgresql") if args.engine == "both" else (args.engine,)):
        run(engine, args)


if __name__ == "__main__":
    main()
