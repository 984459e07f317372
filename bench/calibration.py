"""The calibration page over a district's year beside a raw query computing the same agreement.

    python bench/calibration.py --engine both                      # 1M observations, 50 schools
    python bench/calibration.py --engine sqlite --observations 100000 --repeat 5

Loads bench/heatmap.py's school year (deterministic seed, bulk-loaded), then makes `--share` of all
observations co-listened: half of that share are leads, each given a colleague's second log whose
levels differ on about one trait in six. Times, as the median of repeated requests after a warm-up
and signed in as the district admin: the school's JSON and page (the largest school) and the
district's JSON and page, each beside one hand-written SQL aggregate of exact agreement per trait
over the same conversations, in the same run. "cold" forgets the remembered figures before each
request (the first view after a restart, or after a sync in every school); "a sync" moves the largest
school's change counter before each request (the first view after a sync there: that school's counts are
read again, the others' are remembered); the others are views while nothing changed. After the load, the
heatmap rollup and the calibration summary are rebuilt (`hallpulse heatmaps rebuild`), as after any bulk
import. HALLPULSE_BENCH_DB names the PostgreSQL database (default hallpulse_bench_calibration). Only
loopback databases are used.
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.heatmap import PG_ADMIN, Generator, bulk_load, create_app_for, median_ms, set_up_district, sqlite_time  # noqa: E402

DATABASE = os.environ.get("HALLPULSE_BENCH_DB", "hallpulse_bench_calibration")


def fresh_database(engine: str, work: Path) -> str:
    if engine == "sqlite":
        path = work / "calibration.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{DATABASE}"


def co_listen(db, engine: str, info: dict, share: float, seed: int) -> int:
    """Link `share` of the observations into co-listened pairs (a lead and a colleague's new log); sessions made."""
    from sqlalchemy import select

    from server.auth.models import Membership, User
    from server.enums import Role
    from server.observations.models import Observation, ObservationTraitLevel as Level

    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    every = max(1, round(2 / share))  # a lead every `every` logs gives `share` co-listened once the colleague logs too
    sessions, leads, seconds, levels = [], [], [], []
    for school in info["schools"]:
        colleague = User(email=f"colleague{school['id']}@bench.example", name=f"Colleague {school['id']}",
                         password_hash="x", active=True, created_at=now, updated_at=now)
        db.session.add(colleague)
        db.session.flush()
        db.session.add(Membership(user_id=colleague.id, district_id=info["district_id"], school_id=school["id"],
                                  role=Role.OBSERVER))
        rows = db.session.execute(select(Observation.id, Observation.observed_at, Observation.location_id,
                                         Observation.local_date, Observation.utc_offset_minutes)
                                  .where(Observation.school_id == school["id"]).order_by(Observation.id)).all()
        chosen = rows[::every]
        found: dict = {}
        for observation_id, trait_id, level in db.session.execute(
                select(Level.observation_id, Level.trait_id, Level.level)
                .where(Level.observation_id.in_([row.id for row in chosen]))):
            found.setdefault(observation_id, []).append((trait_id, level))
        for row in chosen:
            session_id, second_id = uuid.UUID(int=rng.getrandbits(128), version=4), uuid.UUID(int=rng.getrandbits(128), version=4)
            sessions.append((session_id, school["id"], "BENCH2", school["observer_id"], row.observed_at))
            leads.append((session_id, row.id))
            seconds.append((second_id, school["id"], colleague.id, row.location_id, row.observed_at, row.utc_offset_minutes,
                            row.local_date, session_id))
            for trait_id, level in found.get(row.id, []):
                moved = level if rng.random() > 1 / 6 else (level + 1 if level == 0 else level - 1)
                levels.append((second_id, trait_id, moved))
    db.session.commit()
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine == "sqlite":
            t = sqlite_time
            cursor.executemany("INSERT INTO colisten_session (id, school_id, code, lead_observer_id, started_at, expires_at, "
                               "version, created_at, updated_at, change_seq) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, 1)",
                               [(s[0].hex, s[1], s[2], s[3], t(s[4]), t(s[4] + timedelta(hours=2)), t(s[4]), t(s[4]))
                                for s in sessions])
            cursor.executemany("UPDATE observation SET colisten_id = ?, colisten_code = 'BENCH2' WHERE id = ?",
                               [(s.hex, o.hex) for s, o in leads])
            cursor.executemany(
                "INSERT INTO observation (id, school_id, observer_id, rubric_id, location_id, observed_at, utc_offset_minutes, "
                "local_date, participant_roles, needs_follow_up, version, content_hash, created_at, updated_at, change_seq, "
                "colisten_id, colisten_code, counted) VALUES (?, ?, ?, 1, ?, ?, ?, ?, '[]', 0, 1, '', ?, ?, 1, ?, 'BENCH2', 0)",
                [(o[0].hex, o[1], o[2], o[3], t(o[4]), o[5], o[6].isoformat(), t(o[4]), t(o[4]), o[7].hex) for o in seconds])
            cursor.executemany("INSERT INTO observation_trait_level (observation_id, trait_id, level) VALUES (?, ?, ?)",
                               [(level[0].hex, level[1], level[2]) for level in levels])
        else:
            with cursor.copy("COPY colisten_session (id, school_id, code, lead_observer_id, started_at, expires_at, version, "
                             "created_at, updated_at, change_seq) FROM STDIN") as copy:
                for s in sessions:
                    copy.write_row((s[0], s[1], s[2], s[3], s[4], s[4] + timedelta(hours=2), 1, s[4], s[4], 1))
            cursor.executemany("UPDATE observation SET colisten_id = %s, colisten_code = 'BENCH2' WHERE id = %s", leads)
            with cursor.copy("COPY observation (id, school_id, observer_id, rubric_id, location_id, observed_at, "
                             "utc_offset_minutes, local_date, participant_roles, needs_follow_up, version, content_hash, "
                             "created_at, updated_at, change_seq, colisten_id, colisten_code, counted) FROM STDIN") as copy:
                for o in seconds:
                    copy.write_row((o[0], o[1], o[2], 1, o[3], o[4], o[5], o[6], "[]", False, 1, "", o[4], o[4], 1, o[7],
                                    "BENCH2", False))
            with cursor.copy("COPY observation_trait_level (observation_id, trait_id, level) FROM STDIN") as copy:
                for level in levels:
                    copy.write_row(level)
        raw.commit()
    finally:
        raw.close()
    return len(sessions)


def raw_agreement(school_ids: list[int]) -> str:
    """Exact agreement per trait over the same conversations, in one hand-written aggregate."""
    ids = ",".join(map(str, school_ids))
    return ("SELECT trait_id, count(*), sum(CASE WHEN lo = hi THEN 1 ELSE 0 END) FROM ("
            "SELECT s.id, l.trait_id, min(l.level) AS lo, max(l.level) AS hi FROM observation o "
            "JOIN colisten_session s ON s.id = o.colisten_id JOIN observation_trait_level l ON l.observation_id = o.id "
            f"WHERE o.school_id IN ({ids}) AND o.colisten_id IS NOT NULL AND s.deleted_at IS NULL AND o.deleted_at IS NULL "
            "AND o.rubric_id = 1 "
            "GROUP BY s.id, l.trait_id HAVING count(*) >= 2) per GROUP BY trait_id")


def measure(app, db, info: dict, repeat: int) -> list[tuple[str, float, float, float, float, float]]:
    from sqlalchemy import text

    from tests.conftest import ApiClient

    school = max(info["schools"], key=lambda s: s["id"])
    sid, did, all_ids = school["id"], info["district_id"], [s["id"] for s in info["schools"]]
    app.test_client_class = ApiClient
    client = app.test_client()
    assert client.post("/api/v1/auth/login", json={"email": "admin@bench.example",
                                                   "password": "bench-password-not-secret-1"}).status_code == 200

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])

    def raw(sql):
        def query():
            with db.engine.connect() as connection:
                connection.execute(text(sql)).fetchall()
        return query

    from server.calibration import queries

    from server import changes

    def cold(url):
        queries.forget()
        get(url)

    def after_a_sync(url):
        """As after a sync in one school: its change counter moves, the other schools' counts stay remembered."""
        with db.engine.begin() as connection:
            changes.take(connection, sid)
        get(url)

    found = []
    for name, api_url, page_url, ids in (
            ("school year (largest school)", f"/api/v1/calibration/schools/{sid}", f"/schools/{sid}/dashboard/calibration", [sid]),
            ("district year (all schools pooled)", f"/api/v1/calibration/districts/{did}", f"/district/{did}/calibration", all_ids)):
        found.append((name, median_ms(lambda: cold(api_url), repeat), median_ms(lambda: after_a_sync(api_url), repeat),
                      median_ms(lambda: get(api_url), repeat), median_ms(lambda: cold(page_url), repeat),
                      median_ms(lambda: get(page_url), repeat), median_ms(raw(raw_agreement(ids)), repeat)))
    return found


def report(engine: str, app, db, info: dict, repeat: int) -> None:
    """Measure and print, as a served worker would answer once its app is loaded (objects frozen)."""
    gc.freeze()
    print(f"[{engine}] {'calibration':<36} {'JSON cold':>9} {'a sync':>7} {'JSON':>7} {'page cold':>9} {'page':>7} "
          f"{'raw SQL':>8} {'cold/raw':>8} {'JSON/raw':>8}  (ms, medians of {repeat})")
    for name, cold_ms, sync_ms, api_ms, cold_page_ms, page_ms, raw_ms in measure(app, db, info, repeat):
        print(f"[{engine}] {name:<36} {cold_ms:>9.1f} {sync_ms:>7.1f} {api_ms:>7.1f} {cold_page_ms:>9.1f} {page_ms:>7.1f} "
              f"{raw_ms:>8.1f} {cold_ms / raw_ms:>8.2f} {api_ms / raw_ms:>8.2f}")
    db.session.remove()
    db.engine.dispose()
    gc.unfreeze()


def run(engine: str, args) -> None:
    from sqlalchemy import text

    from server.cli import upgrade_database
    from server.db import db

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if args.reuse:  # measure again, with the code as it is now, on the data set an earlier run left
        url = (f"sqlite:///{work / 'calibration.db'}" if engine == "sqlite" else PG_ADMIN.rsplit("/", 1)[0]
               .replace("postgresql://", "postgresql+psycopg://", 1) + f"/{DATABASE}")
        app = create_app_for(url, work / "instance")
        with app.app_context():
            from server.schools.models import School

            upgrade_database()
            schools = list(db.session.scalars(db.select(School).order_by(School.id)))
            report(engine, app, db, {"district_id": schools[0].district_id,
                                     "schools": [{"id": school.id} for school in schools]}, args.repeat)
        return
    url = fresh_database(engine, work)
    app = create_app_for(url, work / "instance")
    with app.app_context():
        upgrade_database()
        info = set_up_district(db, args.schools)
        loaded = bulk_load(db, engine, Generator(args.seed, args.observations, args.schools), info)
        started = time.perf_counter()
        sessions = co_listen(db, engine, info, args.share, args.seed)
        print(f"[{engine}] {loaded['observation']:,} observations; {sessions:,} co-listened conversations "
              f"({2 * sessions:,} logs, {2 * sessions / (loaded['observation'] + sessions):.1%} of all) linked in "
              f"{time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        from server.heatmaps import rollup  # the bulk load bypassed the upkeep: build the rollup and calibration summary

        rollup.rebuild()
        db.session.commit()
        db.session.remove()  # a served worker answers from a fresh session, not one holding the rebuild's objects
        print(f"[{engine}] heatmap rollup and calibration summary rebuilt in {time.perf_counter() - started:.1f} s")
        # What autovacuum does after a bulk write (PostgreSQL: it also marks the pages all-visible, so the
        # summary's covering index is read without visiting the table).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("observation", "observation_trait_level", "colisten_session", "school", "calibration_conversation",
                          "calibration_month"):
                connection.execute(text(f"VACUUM ANALYZE {table}" if engine == "postgresql" else f"ANALYZE {table}"))
        report(engine, app, db, info, args.repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--share", type=float, default=0.05, help="Share of observations that are co-listened")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="Measure again on the data set an earlier run left.")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "hallpulse-bench-calibration"))
    args = parser.parse_args()
    for engine in (("sqlite", "postgresql") if args.engine == "both" else (args.engine,)):
        run(engine, args)


if __name__ == "__main__":
    main()
