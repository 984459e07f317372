"""The coverage page and its JSON at a district's scale, beside hand-written SQL over the raw rows.

    python bench/coverage.py --engine both                     # 1M observations, 50 schools, 40 plans each
    python bench/coverage.py --engine sqlite --observations 100000 --schools 10 --repeat 5

Loads the school year of bench/heatmap.py (same generator and loaders), then gives every school 40
planned conversations over that year (32 weekly, 4 every other week, 4 monthly: ≈1,400 occurrences a
school, the winter break cancelled), links 1–2 of the day's logs to 55 % of the occurrences, checks
(not heard) a third of the rest, opens a follow-up on one linked log in eight, and builds the heatmap rollup
and digest as a served school has them (the trait shares read the digest). Then, signed in as
the district admin, times the largest school's coverage JSON and page through the Flask app (median
of repeated requests after one warm-up), beside the hand-written SQL that reads the same figures
(heard logs per occurrence, the latest checks, trait shares per plan, follow-ups per plan), fetched
in full, in the same run. docs/performance.md records a run. Only loopback databases are used.
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, time as clock, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.heatmap import (FIRST_DAY, LAST_DAY, PASSWORD, PG_ADMIN, Generator, bulk_load,  # noqa: E402
                           create_app_for, set_up_district)

PLANS = 40
BREAK = [date(2026, 12, 21) + timedelta(days=d) for d in range(12)]
KINDS = ("plc", "data_team", "grade_department_meeting", "post_observation_conference", "learning_walk_debrief",
         "coaching_session", "planning_session")


def fresh_database(engine: str, work: Path) -> str:
    """As bench/heatmap.py's, under a name of its own, so the two benchmarks can run side by side."""
    if engine == "sqlite":
        path = work / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute('DROP DATABASE IF EXISTS "hallpulse_bench_coverage" WITH (FORCE)')
        connection.execute('CREATE DATABASE "hallpulse_bench_coverage"')
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + "/hallpulse_bench_coverage"


def plan_rows(school_id: int, rng: random.Random) -> tuple[list[dict], list[dict]]:
    """40 plans (32 weekly, 4 every other week, 4 monthly) and their one schedule version each."""
    from server.enums import ConversationKind, PlanFrequency

    now = datetime.now(timezone.utc)
    plans, schedules = [], []
    for index in range(PLANS):
        frequency = "weekly" if index < 32 else "biweekly" if index < 36 else "monthly"
        weekday = index % 5
        plans.append({"school_id": school_id, "name": f"Plan {index + 1:02d}", "purpose": "Planning instruction",
                      "kind": ConversationKind(KINDS[index % len(KINDS)]), "participants": "", "strategy": "",
                      "focus_traits": ["evidence", "action"], "created_at": now, "updated_at": now})
        cancelled = [d.isoformat() for d in BREAK if d.weekday() == weekday]
        start = clock(7 + index % 9, 0 if index % 2 else 30)
        schedules.append({"version": 1, "valid_from": None, "valid_until": None, "frequency": PlanFrequency(frequency),
                          "weekdays": [weekday], "week_of_month": (index % 4) + 1 if frequency == "monthly" else None,
                          "starts_at": start, "ends_at": clock(start.hour + 1, start.minute), "first_day": FIRST_DAY,
                          "last_day": LAST_DAY, "added_dates": [], "cancelled_dates": cancelled})
    rng.shuffle(plans)
    return plans, schedules


def add_plans(db, info: dict, seed: int) -> dict:
    """Plans, links, checks and follow-ups for every school; counts of each."""
    from sqlalchemy import bindparam, insert, select, update

    from server.coverage.occurrences import planned_days
    from server.enums import FollowUpStatus, PlanCheckOutcome
    from server.followups.models import FollowUp
    from server.observations.models import Observation
    from server.plans.checks import PlanCheck
    from server.plans.models import PlannedConversation, PlanSchedule

    rng = random.Random(seed)
    counts = {"plans": 0, "occurrences": 0, "linked": 0, "checks": 0, "follow_ups": 0}
    outcomes = list(PlanCheckOutcome)
    for school in info["schools"]:
        plans, schedules = plan_rows(school["id"], rng)
        ids = db.session.execute(insert(PlannedConversation).returning(PlannedConversation.id, sort_by_parameter_order=True), plans).scalars().all()
        db.session.execute(insert(PlanSchedule), [{**s, "plan_id": i} for s, i in zip(schedules, ids)])
        db.session.flush()
        by_day: dict[date, list] = {}
        for obs_id, day in db.session.execute(select(Observation.id, Observation.local_date)
                                              .where(Observation.school_id == school["id"])):
            by_day.setdefault(day, []).append(obs_id)
        links, checks, follow_ups = [], [], []
        for plan in db.session.scalars(select(PlannedConversation).where(PlannedConversation.school_id == school["id"])):
            for planned in planned_days(plan, school["zone"], FIRST_DAY, LAST_DAY):
                if planned.cancelled:
                    continue
                counts["occurrences"] += 1
                pool = by_day.get(planned.day, [])
                roll = rng.random()
                if roll < 0.55 and pool:
                    for obs_id in rng.sample(pool, min(len(pool), rng.randint(1, 2))):
                        pool.remove(obs_id)
                        links.append({"b_id": obs_id, "plan_id": plan.id, "plan_day": planned.day})
                        if rng.random() < 0.125:
                            follow_ups.append({
                                "id": uuid.uuid4(), "school_id": school["id"], "observation_id": obs_id,
                                "created_by_id": school["observer_id"], "owner_id": school["observer_id"],
                                "action": "Bring the exit tickets", "due_at": planned.utc_start + timedelta(days=4),
                                "status": rng.choice([FollowUpStatus.DONE, FollowUpStatus.OPEN]),
                                "changed_practice": rng.choice([True, False, None]), "version": 1,
                                "created_at": planned.utc_start, "updated_at": planned.utc_start, "change_seq": 1})
                elif roll < 0.70:
                    checks.append({"id": uuid.uuid4(), "school_id": school["id"], "plan_id": plan.id,
                                   "day": planned.day, "observer_id": school["observer_id"],
                                   "outcome": rng.choice(outcomes), "checked_at": planned.utc_start,
                                   "utc_offset_minutes": 0, "version": 1, "content_hash": "",
                                   "created_at": planned.utc_start, "updated_at": planned.utc_start, "change_seq": 1})
        if links:
            db.session.connection().execute(
                update(Observation.__table__).where(Observation.__table__.c.id == bindparam("b_id"))
                .values(plan_id=bindparam("plan_id"), plan_day=bindparam("plan_day"), change_seq=1), links)
        if checks:
            db.session.connection().execute(insert(PlanCheck.__table__), checks)
        if follow_ups:
            db.session.connection().execute(insert(FollowUp.__table__), follow_ups)
        db.session.commit()
        counts["plans"] += len(ids)
        counts["linked"] += len(links)
        counts["checks"] += len(checks)
        counts["follow_ups"] += len(follow_ups)
    return counts


def median_ms(action, repeat: int) -> tuple[float, float]:
    """Median wall-clock and median CPU time of this process (ms) after one warm-up. On a shared machine the
    CPU time says what the request costs here; the wall clock adds the wait for a core."""
    action()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def raw_sql(school_id: int) -> list[str]:
    """The coverage figures by hand: heard logs per occurrence, checks, trait shares and follow-ups per plan."""
    linked = (f"o.school_id = {school_id} AND o.plan_id IS NOT NULL AND o.plan_day BETWEEN '{FIRST_DAY}' AND "
              f"'{LAST_DAY}' AND o.deleted_at IS NULL")
    return [
        f"SELECT o.plan_id, o.plan_day, count(*) FROM observation o WHERE {linked} GROUP BY o.plan_id, o.plan_day",
        f"SELECT c.plan_id, c.day, c.outcome, c.checked_at FROM plan_check c WHERE c.school_id = {school_id} "
        f"AND c.day BETWEEN '{FIRST_DAY}' AND '{LAST_DAY}' AND c.deleted_at IS NULL",
        "SELECT o.plan_id, l.trait_id, count(*), sum(CASE WHEN l.level >= 1 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN l.level = 2 THEN 1 ELSE 0 END) FROM observation o JOIN observation_trait_level l ON "
        f"l.observation_id = o.id WHERE {linked} GROUP BY o.plan_id, l.trait_id",
        "SELECT o.plan_id, f.status, f.due_at, f.completed_at, f.changed_practice FROM follow_up f JOIN observation o "
        f"ON o.id = f.observation_id WHERE {linked} AND f.deleted_at IS NULL",
        "SELECT p.id, s.frequency, s.weekdays, s.first_day, s.last_day, s.cancelled_dates FROM planned_conversation p "
        f"JOIN plan_schedule s ON s.plan_id = p.id WHERE p.school_id = {school_id}",
    ]


def measure(app, db, info: dict, repeat: int) -> list[tuple[str, float]]:
    from sqlalchemy import text

    from tests.conftest import ApiClient

    school = max(info["schools"], key=lambda s: s["id"])  # the largest school
    sid = school["id"]
    app.test_client_class = ApiClient
    client = app.test_client()
    assert client.post("/api/v1/auth/login", json={"email": "admin@bench.example", "password": PASSWORD}).status_code == 200

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
        return response

    body = get(f"/api/v1/coverage/schools/{sid}").get_json()
    shown = sum(len(p["occurrences"]) for p in body["plans"])
    print(f"  largest school: {len(body['plans'])} plans, {shown:,} occurrences shown, "
          f"{sum(p['logs'] for p in body['plans']):,} linked logs, checked {body['totals']['checked']['count']:,} "
          f"of {body['totals']['past']:,}")

    def raw():
        with db.engine.connect() as connection:
            for statement in raw_sql(sid):
                connection.execute(text(statement)).fetchall()

    from server.plans import recurrence
    rows = [("hand-written SQL (5 queries, all rows)", median_ms(raw, repeat)),
            ("coverage JSON  GET /api/v1/coverage/schools/<id>", median_ms(lambda: get(f"/api/v1/coverage/schools/{sid}"), repeat)),
            ("coverage page  GET /schools/<id>/dashboard/coverage", median_ms(lambda: get(f"/schools/{sid}/dashboard/coverage"), repeat)),
            ("coverage CSV", median_ms(lambda: get(f"/schools/{sid}/dashboard/coverage.csv"), repeat))]
    from server.coverage.service import district_coverage
    from server.schools.models import School

    schools = list(db.session.scalars(db.select(School).order_by(School.id)))
    rows.append((f"district table: {len(schools)} schools' coverage (service call)",
                 median_ms(lambda: district_coverage(schools), max(3, repeat // 2))))
    recurrence.expand.cache_clear()
    wall, cpu = time.perf_counter(), time.process_time()
    get(f"/api/v1/coverage/schools/{sid}")
    rows.append(("coverage JSON, first view (rules not yet expanded)",
                 ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)))
    return rows


def run(engine: str, args) -> None:
    from sqlalchemy import text

    from server.cli import upgrade_database
    from server.db import db

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if args.reuse:  # measure again on the data set of an earlier run
        url = (f"sqlite:///{work / 'bench.db'}" if engine == "sqlite" else
               PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + "/hallpulse_bench_coverage")
        app = create_app_for(url, work / "instance")
        with app.app_context():
            from server.schools.models import School
            info = {"schools": [{"id": s.id, "zone": s.timezone} for s in db.session.scalars(db.select(School))]}
            measured(app, db, engine, info, args)
        return
    url = fresh_database(engine, work)
    app = create_app_for(url, work / "instance")
    with app.app_context():
        upgrade_database()
        info = set_up_district(db, args.schools)
        loaded = bulk_load(db, engine, Generator(args.seed, args.observations, args.schools), info)
        print(f"[{engine}] loaded {loaded['observation']:,} observations in {loaded['seconds']:.1f} s", flush=True)
        started = time.perf_counter()
        counts = add_plans(db, info, args.seed)
        print(f"[{engine}] {counts['plans']:,} plans, {counts['occurrences']:,} occurrences "
              f"({counts['occurrences'] / len(info['schools']):,.0f} a school), {counts['linked']:,} linked logs, "
              f"{counts['checks']:,} checks, {counts['follow_ups']:,} follow-ups in {time.perf_counter() - started:.1f} s")
        with db.engine.begin() as connection:
            for table in ("observation", "observation_trait_level", "plan_check", "follow_up", "planned_conversation",
                          "plan_schedule", "location", "school"):
                connection.execute(text(f"ANALYZE {table}"))
        started = time.perf_counter()
        from server.heatmaps import rollup  # the bulk load bypassed the upkeep: a served school's rollup is built

        rollup.rebuild()
        db.session.commit()
        db.session.remove()  # a served worker answers from a fresh session, not one holding the rebuild's objects
        with db.engine.begin() as connection:
            for table in ("heatmap_conversation", "heatmap_state"):
                connection.execute(text(f"ANALYZE {table}"))
        print(f"[{engine}] heatmap rollup and digest rebuilt in {time.perf_counter() - started:.1f} s", flush=True)
        measured(app, db, engine, info, args)


def measured(app, db, engine: str, info: dict, args) -> None:
    """Measure and print, as a served worker answers once its app is loaded (server/gunicorn_conf.py freezes
    the objects then, so the collector does not walk them on every request)."""
    from sqlalchemy import text

    gc.freeze()
    print(f"[{engine}] {'':<58} {'wall ms':>8} {'CPU ms (this process)':>22}")
    for name, (wall, cpu) in measure(app, db, info, args.repeat):
        print(f"[{engine}] {name:<58} {wall:8.1f} {cpu:22.1f}", flush=True)
    if args.plan_index:  # what a partial covering index on the linked logs would gain (not in the migrations)
        with db.engine.begin() as connection:
            connection.execute(text(
                "CREATE INDEX IF NOT EXISTS ix_bench_observation_plan_live ON observation (school_id, plan_id, plan_day, counted, id) "
                "WHERE plan_id IS NOT NULL AND deleted_at IS NULL"))
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE observation" if engine == "postgresql" else "ANALYZE observation"))
        for name, (wall, cpu) in measure(app, db, info, args.repeat):
            print(f"[{engine}] + partial index: {name:<58} {wall:8.1f} {cpu:22.1f}", flush=True)
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
    parser.add_argument("--plan-index", action="store_true",
                        help="Then add a partial covering index on the linked logs and measure again.")
    parser.add_argument("--reuse", action="store_true", help="Measure again on the data set an earlier run left.")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "hallpulse-bench-coverage"))
    args = parser.parse_args()
    for engine in (("sqlite", "postgresql") if args.engine == "both" else (args.engine,)):
        run(engine, args)


if __name__ == "__main__":
    main()
