"""Phones as they really sync, into a school whose history grows: through a real gunicorn server.

    python bench/realistic.py --engine both                                  # defaults below
    python bench/realistic.py --engine sqlite --background 60000 --synced 20000

A district (deterministic seed) is bulk-loaded first: `--background` observations over one school
year, the first school holding a third of them, with logs outside walks and walks left open. Then
the first school's observers send what their phones made over the autumn term, in order, through
`POST /api/v1/sync` on gunicorn (one worker, as the Procfile configures it): each observer's outbox in
batches of up to 200 records, so walks go with their logs, a batch spans several days of walks, and a
walk cut by a batch boundary is joined by its remaining logs in the next batch. The records carry
what real phones send: ~8 % of logs outside any walk, walks with no logs, walks left open, a few
walks of many hours, logs a little after their walk ended, records dated in UTC rather than the
school's offset, and about a third of logs with a note of up to 280 characters (their own random
stream, so the rest of the workload is what it was before notes were added).

Beside each batch, in the same run, SQLAlchemy Core `executemany` inserts the same rows (walks,
observations, trait levels; fresh ids, into another school). The report gives, per fifth of the
run, the API's median ms a batch, Core's, and the ratio of their throughputs (Core time ÷ API time
over the same records). Then batches of 200 edits (version +1) and 200 deletions spread over the
term, each beside a Core `executemany` UPDATE of the same rows, and beside a batch of 200 new
records of the same run. Finally every school view with every filter and every pair of filters at
the first school, each beside a hand-written GROUP BY computing its cells, and the whole-district
rebuild beside the bulk load. Only loopback databases are used.
"""
from __future__ import annotations

import argparse
import gc
import itertools
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, time as clock, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import heatmap as district  # noqa: E402  bench/heatmap.py: the district, its generator and the bulk loader

KEYS = ("substantive", "evidence", "questions", "non_defensive", "people", "professional_knowledge", "action")
NOTE_SENTENCES = (
    "They compared last week's exit tickets and sorted them into three groups.",
    "Ms. Alvarez asked what evidence would change their minds about the reteach plan.",
    "Two teachers disagreed about the pacing and stayed with the question instead of moving on.",
    "The team agreed to try the new warm-up on Tuesday and bring student work on Friday.",
    "Someone named the pattern in the data before proposing a fix.",
    "Follow up with the grade-level lead about the intervention schedule.",
    "Mostly logistics at first; the last five minutes were about one student's progress.",
    "Good use of the protocol: everyone spoke before the decision was made.",
)
TERM_END = date(2026, 12, 18)


# ---------------------------------------------------------------- what phones send

class Phones:
    """The first school's observers' outboxes over the term: records in the order each phone made them."""

    def __init__(self, seed: int, school: dict, observers: list[dict], rubric_id: int, synced: int):
        self.rng = random.Random(seed)
        self.note_rng = random.Random(seed + 7919)  # notes draw apart: the other records stay as they were
        self.school, self.observers, self.rubric_id = school, observers, rubric_id
        self.zone = ZoneInfo(school["zone"])
        last = min(TERM_END, date.today() - timedelta(days=1))  # never in the future: the server refuses it
        self.days = [day for day in district.school_days() if day <= last]
        self.per_day = synced / len(self.days) / len(observers)

    def outboxes(self) -> list[list[dict]]:
        boxes = [[] for _ in self.observers]
        for day in self.days:
            for index in range(len(self.observers)):
                boxes[index] += self.day_of(day)
        self.outboxes_made = boxes[0]  # the first phone's: the edits and deletions are its own
        return boxes

    def day_of(self, day: date) -> list[dict]:
        rng, records, logged = self.rng, [], 0
        target = self.per_day * rng.uniform(0.6, 1.4)
        while logged < target:
            start = datetime.combine(day, clock(7), tzinfo=self.zone) + timedelta(minutes=rng.randint(0, 520))
            roll = rng.random()
            length = timedelta(hours=rng.uniform(3, 7)) if roll < 0.02 else timedelta(minutes=rng.randint(15, 45))
            open_walk = 0.02 <= roll < 0.07
            utc = rng.random() < 0.15  # a phone that dates its records in UTC
            walk_id = str(uuid.uuid4())
            records.append({"type": "walk", "id": walk_id, "version": 1, "started_at": self.stamp(start, utc),
                            "ended_at": None if open_walk else self.stamp(start + length, utc)})
            logs = 0 if rng.random() < 0.05 else rng.randint(2, 8)
            places = rng.sample(self.school["places"], rng.randint(1, 4))
            for position in range(logs):
                at = start + min(length, timedelta(hours=2)) * rng.random()
                if position == logs - 1 and rng.random() < 0.1:
                    at = start + length + timedelta(minutes=rng.randint(1, 15))  # a little after the walk ended
                records.append(self.log(walk_id, at, places[position * len(places) // logs], utc))
                if rng.random() < 0.09:  # ~8 % of all logs: heard outside any walk
                    records.append(self.log(None, start - timedelta(minutes=rng.randint(5, 90)),
                                            rng.choice(self.school["places"]), utc))
                    logged += 1
            logged += logs
        return records

    def log(self, walk_id, at: datetime, place: int, utc: bool) -> dict:
        rng = self.rng
        setting, kind = district.KINDS[rng.randrange(len(district.KINDS))]
        formal = setting == "formal"
        levels = {}
        for key in KEYS:
            roll = rng.random()
            levels[key] = 2 if roll < (0.15 if formal else 0.05) else 1 if roll < (0.55 if formal else 0.25) else 0
        return {"type": "observation", "id": str(uuid.uuid4()), "version": 1, "walk_id": walk_id,
                "rubric_id": self.rubric_id, "location_id": place, "observed_at": self.stamp(at, utc),
                "setting": setting, "conversation_kind": kind, "team": district.TEAMS[rng.randrange(len(district.TEAMS))],
                "note": self.note(), "trait_levels": levels}

    def note(self) -> str | None:
        """About a third of logs carry a note: one to four sentences, within the 280 characters allowed."""
        rng = self.note_rng
        if rng.random() >= 0.35:
            return None
        sentences = [rng.choice(NOTE_SENTENCES) for _ in range(rng.randint(1, 4))]
        while len(" ".join(sentences)) > 280:
            sentences.pop()
        return " ".join(sentences)

    @staticmethod
    def stamp(moment: datetime, utc: bool) -> str:
        return (moment.astimezone(timezone.utc) if utc else moment).isoformat()


def batches_in_order(boxes: list[list[dict]], size: int = 200) -> list[tuple[int, list[dict]]]:
    """(observer index, batch): each outbox in batches of `size`, the phones taking turns."""
    chunked = [[box[start:start + size] for start in range(0, len(box), size)] for box in boxes]
    ordered = []
    for turn in itertools.zip_longest(*chunked):
        ordered += [(index, batch) for index, batch in enumerate(turn) if batch]
    return ordered


# ---------------------------------------------------------------- the Core baseline

class Baseline:
    """Core executemany of the same rows (fresh ids) into another school, in the bench process."""

    def __init__(self, db, school: dict, info: dict):
        self.db, self.school, self.info = db, school, info
        self.zone = ZoneInfo(school["zone"])
        self.copies: dict[str, uuid.UUID] = {}

    def rows(self, batch: list[dict]):
        walks, observations, levels = [], [], []
        walk_ids = {}
        for record in batch:
            if record["type"] == "walk":
                walk_ids[record["id"]] = uuid.uuid4()
                started = datetime.fromisoformat(record["started_at"])
                walks.append({"id": walk_ids[record["id"]], "school_id": self.school["id"],
                              "observer_id": self.school["observer_id"], "started_at": started,
                              "ended_at": record["ended_at"] and datetime.fromisoformat(record["ended_at"]),
                              "version": 1, "created_at": started, "updated_at": started, "deleted_at": None})
        for record in batch:
            if record["type"] != "observation":
                continue
            at = datetime.fromisoformat(record["observed_at"])
            copy = self.copies[record["id"]] = uuid.uuid4()
            observations.append({
                "id": copy, "school_id": self.school["id"], "observer_id": self.school["observer_id"],
                "walk_id": walk_ids.get(record["walk_id"]), "rubric_id": record["rubric_id"],
                "location_id": self.school["places"][0], "observed_at": at,
                "utc_offset_minutes": int(at.utcoffset().total_seconds() // 60), "local_date": at.astimezone(self.zone).date(),
                "setting": record["setting"], "conversation_kind": record["conversation_kind"], "team": record["team"],
                "participant_roles": [], "needs_follow_up": False, "version": 1, "content_hash": "",
                "created_at": at, "updated_at": at, "note": record.get("note"), "participant_count": None, "deleted_at": None})
            levels += [{"observation_id": copy, "trait_id": trait_id, "level": record["trait_levels"][key]}
                       for key, trait_id in zip(KEYS, self.info["trait_ids"])]
        return walks, observations, levels

    def insert(self, batch: list[dict]) -> float:
        from sqlalchemy import insert

        from server.observations.models import Observation, ObservationTraitLevel
        from server.walks.models import Walk

        walks, observations, levels = self.rows(batch)
        started = time.perf_counter()
        with self.db.engine.begin() as connection:
            if walks:
                connection.execute(insert(Walk.__table__), walks)
            connection.execute(insert(Observation.__table__), observations)
            connection.execute(insert(ObservationTraitLevel.__table__), levels)
        return time.perf_counter() - started

    def update(self, records: list[dict], deleting: bool) -> float:
        """The same edits (or tombstones) as one executemany UPDATE of the copies (and their levels)."""
        from sqlalchemy import bindparam, delete, update

        from server import changes
        from server.observations.models import Observation, ObservationTraitLevel

        o, lv = Observation.__table__, ObservationTraitLevel.__table__
        now = datetime.now(timezone.utc)
        started = time.perf_counter()
        with self.db.engine.begin() as connection:
            seq = changes.take(connection, self.school["id"])  # as every write of a synced record (server/changes.py)
            if deleting:
                connection.execute(update(o).where(o.c.id == bindparam("copy")).values(
                    version=bindparam("v"), deleted_at=now, note=None, updated_at=now, change_seq=seq),
                    [{"copy": self.copies[r["id"]], "v": r["version"]} for r in records])
                connection.execute(delete(lv).where(lv.c.observation_id == bindparam("copy")),
                                   [{"copy": self.copies[r["id"]]} for r in records])
            else:
                connection.execute(update(o).where(o.c.id == bindparam("copy")).values(
                    version=bindparam("v"), team=bindparam("t"), note=bindparam("n"), observed_at=bindparam("at"),
                    updated_at=now, change_seq=seq),
                    [{"copy": self.copies[r["id"]], "v": r["version"], "t": r["team"], "n": r.get("note"),
                      "at": datetime.fromisoformat(r["observed_at"])} for r in records])
                connection.execute(update(lv).where(lv.c.observation_id == bindparam("copy"),
                                                    lv.c.trait_id == bindparam("trait")).values(level=bindparam("lvl")),
                                   [{"copy": self.copies[r["id"]], "trait": trait_id, "lvl": r["trait_levels"][key]}
                                    for r in records for key, trait_id in zip(KEYS, self.info["trait_ids"])])
        return time.perf_counter() - started


# ---------------------------------------------------------------- the run

def add_observers(db, school: dict, count: int, district_id: int) -> list[dict]:
    """The school's observers: the one set_up_district made and `count - 1` more."""
    from server.auth.models import Membership, User
    from server.enums import Role

    observers = [{"id": school["observer_id"], "email": school["observer_email"]}]
    template = db.session.get(User, school["observer_id"])
    for number in range(2, count + 1):
        now = datetime.now(timezone.utc)
        user = User(email=f"phone{number}-{school['id']}@bench.example", name=f"Phone {number}",
                    password_hash=template.password_hash, active=True, created_at=now, updated_at=now)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, district_id=district_id, school_id=school["id"], role=Role.OBSERVER))
        observers.append({"id": user.id, "email": user.email})
    db.session.commit()
    return observers


def signed_in(base: str, email: str):
    import requests

    session = requests.Session()
    token = session.get(f"{base}/api/v1/auth/csrf", timeout=30).json()["csrf_token"]
    response = session.post(f"{base}/api/v1/auth/login", json={"email": email, "password": district.PASSWORD},
                            headers={"X-CSRFToken": token}, timeout=30)
    assert response.status_code == 200, response.text[:300]
    session.headers["X-CSRFToken"] = session.get(f"{base}/api/v1/auth/csrf", timeout=30).json()["csrf_token"]
    session.headers["Content-Type"] = "application/json"
    return session


def post_batch(session, base: str, school_id: int, batch: list[dict]) -> float:
    body = json.dumps({"school_id": school_id, "records": batch})  # encoded before the clock, as a phone does
    started = time.perf_counter()
    response = session.post(f"{base}/api/v1/sync", data=body, timeout=60)
    spent = time.perf_counter() - started
    assert response.status_code == 200, response.text[:300]
    results = response.json()["results"]
    assert all(result["status"] == "stored" for result in results), [r for r in results if r["status"] != "stored"][:2]
    return spent


def fifths(rows: list[tuple[int, float, float]]) -> list[dict]:
    """rows: (records, api seconds, core seconds) per batch, in order."""
    out = []
    size = len(rows) / 5
    for part in range(5):
        chunk = rows[round(part * size):round((part + 1) * size)]
        if not chunk:
            continue
        out.append({"batches": len(chunk), "api_ms": statistics.median(r[1] for r in chunk) * 1000,
                    "core_ms": statistics.median(r[2] for r in chunk) * 1000,
                    "ratio": sum(r[2] for r in chunk) / sum(r[1] for r in chunk)})
    return out


def autovacuum_due(db, engine: str) -> list[str]:
    """PostgreSQL with autovacuum off (as on the benchmark machine): vacuum and analyze the tables that
    autovacuum would have by now, by its own thresholds and each table's settings. The matrix then
    reads what a server with autovacuum on would read (e.g. the digest's visibility map after a sync).
    Returns what it did."""
    from sqlalchemy import text

    if engine != "postgresql":
        return []
    done = []
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if connection.execute(text("SHOW autovacuum")).scalar() == "on":
            return []
        options = dict(connection.execute(text(
            "SELECT c.relname, coalesce(array_to_string(c.reloptions, ','), '') FROM pg_class c "
            "JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relpersistence <> 't'")).all())
        settings = {name: float(value) for name, value in connection.execute(text(
            "SELECT name, setting FROM pg_settings WHERE name LIKE 'autovacuum_%' AND vartype = 'real' "
            "OR name LIKE 'autovacuum_%threshold'")).all()}
        def limit(own: dict, kind: str, tuples: float) -> float:
            """Autovacuum's threshold for `kind` on a table of `tuples` rows, with its own settings `own`."""
            scale = float(own.get(f"autovacuum_{kind}_scale_factor", settings[f"autovacuum_{kind}_scale_factor"]))
            return float(own.get(f"autovacuum_{kind}_threshold", settings[f"autovacuum_{kind}_threshold"])) + scale * tuples

        for name, inserted, dead, modified, tuples in connection.execute(text(
                "SELECT s.relname, s.n_ins_since_vacuum, s.n_dead_tup, s.n_mod_since_analyze, greatest(c.reltuples, 0) "
                "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
                "WHERE c.relpersistence <> 't'")).all():  # not another session's temporary table (the rebuild's tiles)
            own = dict(option.split("=") for option in options[name].split(",") if option)
            vacuum = inserted > limit(own, "vacuum_insert", tuples) or dead > limit(own, "vacuum", tuples)
            if vacuum or modified > limit(own, "analyze", tuples):
                connection.execute(text(f"{'VACUUM (ANALYZE)' if vacuum else 'ANALYZE'} \"{name}\""))
                done.append(f"{'vacuum' if vacuum else 'analyze'} {name}")
    return done


def run(engine: str, args) -> dict:
    from sqlalchemy import func, select, text

    from bench.sync_ingest import settle_wal
    from server.cli import upgrade_database
    from server.db import db
    from server.gunicorn_conf import freeze_startup_objects
    from server.heatmaps import rollup
    from server.observations.models import Observation
    from tests.conftest import EASED_HASHING
    from tests.subprocesses import Server, app_env, free_port

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    url = district.fresh_database(engine, work)
    app = district.create_app_for(url, work / "instance")
    logging.getLogger("hallpulse.requests").setLevel(logging.WARNING)  # the in-process requests' log lines
    report: dict = {"engine": engine}
    with app.app_context():
        upgrade_database()
        info = district.set_up_district(db, args.schools)
        generator = district.Generator(args.seed, args.background, args.schools, realistic=True)
        first = int(args.background * args.first_share)  # one school holds a third of the district's data
        generator.sizes = [first] + [(args.background - first) // (args.schools - 1)] * (args.schools - 1)
        loaded = district.bulk_load(db, engine, generator, info)
        rows = loaded["walk"] + loaded["observation"] + loaded["observation_trait_level"]
        report["load"] = {"rows": rows, "seconds": loaded["seconds"], "observations": loaded["observation"]}
        with db.engine.begin() as connection:
            for table in ("walk", "observation", "observation_trait_level", "location", "school"):
                connection.execute(text(f"ANALYZE {table}"))
        started = time.perf_counter()
        rollup.rebuild()
        db.session.commit()
        report["rebuild_s"] = time.perf_counter() - started
        print(f"[{engine}] background: {loaded['observation']:,} observations ({rows:,} rows) bulk-loaded in "
              f"{loaded['seconds']:.1f} s ({rows / loaded['seconds']:,.0f} rows/s); whole-district rebuild "
              f"{report['rebuild_s']:.1f} s", flush=True)
        district.settle_rollup(db, engine)
        school, other = info["schools"][0], info["schools"][-1]
        observers = add_observers(db, school, args.observers, info["district_id"])
        phones = Phones(args.seed + 1, school, observers, info["rubric_id"], args.synced)
        ordered = batches_in_order(phones.outboxes())
        baseline = Baseline(db, other, info)
        freeze_startup_objects()

    env = app_env(work / "instance", HALLPULSE_ENV="testing",
                  DATABASE_URL=url, SECRET_KEY="realistic-bench-" + "k" * 40,
                  HALLPULSE_LOGIN_RATE_LIMIT="1000 per minute", HALLPULSE_LOGIN_IP_RATE_LIMIT="1000 per minute",
                  RATELIMIT_STORAGE_URI="memory://")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}", "-c",
               "python:server.gunicorn_conf", "--workers", "1", f"server:create_app({EASED_HASHING!r})"]
    with Server(command, env, work) as server, app.app_context():
        status, _h, _b = server.get(f"{base}/healthz", deadline_seconds=60)
        assert status == 200, server.output()
        sessions = [signed_in(base, observer["email"]) for observer in observers]
        timed = []
        for number, (index, batch) in enumerate([] if args.matrix_only else ordered):
            settle_wal(db.engine)
            core = baseline.insert(batch)
            settle_wal(db.engine)
            api = post_batch(sessions[index], base, school["id"], batch)
            timed.append((len(batch), api, core))
        report["sync"] = fifths(timed) if timed else []
        in_school = db.session.scalar(select(func.count()).select_from(Observation).where(Observation.school_id == school["id"]))
        print(f"[{engine}] synced {sum(r[0] for r in timed):,} records in {len(timed)} batches through gunicorn; "
              f"the school now holds {in_school:,} observations", flush=True)
        for part, row in enumerate(report["sync"], 1):
            print(f"[{engine}]   fifth {part}: API {row['api_ms']:.1f} ms/batch, Core executemany "
                  f"{row['core_ms']:.1f} ms/batch, ratio {row['ratio']:.2f}", flush=True)
        if not args.matrix_only:
            report["changes"] = edits_and_deletions(engine, phones, sessions, base, school, baseline, db, args)
        if not args.skip_matrix:
            done = autovacuum_due(db, engine)
            if done:
                print(f"[{engine}] autovacuum is off here; before the matrix, what it would have done by now: "
                      f"{', '.join(done)}", flush=True)
            report["filters"] = filter_matrix(engine, app, db, school, observers, args.repeat)
        server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    gc.unfreeze()
    return report


def edit_of(record: dict, rng: random.Random) -> dict:
    """A leader's edit of a synced log: its team and note changed, every level moved, one in ten re-timed
    by 4 minutes (so the walk's listening time moves too)."""
    edited = {**record, "version": record["version"] + 1, "team": "Math", "note": "Revisited",
              "trait_levels": {key: (level + 1) % 3 for key, level in record["trait_levels"].items()}}
    if rng.random() < 0.1:
        edited["observed_at"] = (datetime.fromisoformat(record["observed_at"]) + timedelta(minutes=4)).isoformat()
    return edited


def edits_and_deletions(engine, phones: Phones, sessions, base, school, baseline: Baseline, db, args) -> dict:
    """Batches of 200 edits, of 200 deletions (each spread over the term) and of 200 new records."""
    from bench.sync_ingest import settle_wal

    rng = random.Random(args.seed + 2)
    mine = [record for record in phones.outboxes_made if record["type"] == "observation"]
    rng.shuffle(mine)
    out = {"edit": [], "delete": [], "new": []}
    for repeat in range(args.repeat):
        chosen = sorted(mine[repeat * 400:repeat * 400 + 200], key=lambda r: r["observed_at"])
        edits = []
        for record in chosen:
            edited = edit_of(record, rng)
            record.update(edited)
            edits.append(edited)
        settle_wal(db.engine)
        core = baseline.update(edits, deleting=False)
        settle_wal(db.engine)
        out["edit"].append((post_batch(sessions[0], base, school["id"], edits), core))
        doomed = sorted(mine[repeat * 400 + 200:repeat * 400 + 400], key=lambda r: r["observed_at"])
        deletions = [{"type": "deletion", "id": r["id"], "entity": "observation", "version": r["version"] + 1} for r in doomed]
        settle_wal(db.engine)
        core = baseline.update([{**r, "version": r["version"] + 1} for r in doomed], deleting=True)
        settle_wal(db.engine)
        out["delete"].append((post_batch(sessions[0], base, school["id"], deletions), core))
        fresh = []
        while len(fresh) < 200:
            fresh += phones.day_of(phones.days[-1 - repeat])
        settle_wal(db.engine)
        core = baseline.insert(fresh[:200])
        settle_wal(db.engine)
        out["new"].append((post_batch(sessions[0], base, school["id"], fresh[:200]), core))
    summary = {kind: {"api_ms": statistics.median(a for a, _ in rows) * 1000,
                      "core_ms": statistics.median(c for _, c in rows) * 1000} for kind, rows in out.items()}
    for kind in ("edit", "delete"):
        summary[kind]["vs_new"] = summary[kind]["api_ms"] / summary["new"]["api_ms"]
    for kind, row in summary.items():
        extra = f", {row['vs_new']:.2f}× a batch of 200 new records" if "vs_new" in row else ""
        print(f"[{engine}] 200 {kind:<6} records/batch: API {row['api_ms']:.1f} ms, Core executemany "
              f"{row['core_ms']:.1f} ms{extra}", flush=True)
    return summary


FILTERS = {"observer": None, "setting": "formal", "kind": "plc", "team": "Math", "dates": ("2026-09-01", "2026-11-30")}
VIEWS = {  # name: (path, query, the hand-written SQL's cells: GROUP BY columns)
    "quality by kind": ("quality", {}, "o.conversation_kind"),
    "quality by place": ("quality", {"by": "place"}, "o.location_id"),
    "quality by team": ("quality", {"by": "team"}, "o.team"),
    "quality by week": ("quality", {"by": "week"}, "o.local_date"),
    "trends": ("trends", {}, "o.local_date"),
    "frequency by period": ("frequency", {}, None),
    "frequency by weekday": ("frequency", {"columns": "weekday"}, None),
}


def filter_sets(observer_id: int, phone_observer_id: int | None = None) -> list[tuple[str, dict]]:
    """Defaults, each filter, each pair. `observer` is the bulk-loaded observer, who holds most of the
    school's conversations (a stress case); `phone`, when given, one of the phones' observers, who
    holds what one busy leader logs."""
    singles = {"observer": {"observer_id": observer_id}, "setting": {"setting": "formal"},
               "kind": {"conversation_kind": "plc"}, "team": {"team": "Math"},
               "dates": {"date_from": FILTERS["dates"][0], "date_to": FILTERS["dates"][1]}}
    sets = [("defaults", {})] + [(name, query) for name, query in singles.items()]
    sets += [(f"{a} + {b}", {**singles[a], **singles[b]}) for a, b in itertools.combinations(singles, 2)]
    if phone_observer_id is not None:
        phone = {"observer_id": phone_observer_id}
        sets += [("phone", phone)] + [(f"phone + {name}", {**phone, **query}) for name, query in singles.items()
                                      if name != "observer"]
    return sets


def filter_matrix(engine: str, app, db, school: dict, observers: list[dict], repeat: int) -> list[dict]:
    """Every school view × defaults, each filter and each pair of filters: the API (in-process, as the
    district admin) beside the hand-written GROUP BY of the same cells, medians of `repeat`."""
    from sqlalchemy import text

    from tests.conftest import ApiClient

    app.test_client_class = ApiClient
    client = app.test_client()
    assert client.post("/api/v1/auth/login", json={"email": "admin@bench.example",
                                                    "password": district.PASSWORD}).status_code == 200
    rows = []
    for filter_name, query in filter_sets(observers[0]["id"], observers[-1]["id"] if len(observers) > 1 else None):
        for view_name, (path, view_query, group) in VIEWS.items():
            url = f"/api/v1/heatmaps/schools/{school['id']}/{path}"
            params = {**view_query, **query}

            def get():
                response = district.served_get(client, db, url, query_string=params)
                assert response.status_code == 200, (url, params, response.get_data(as_text=True)[:300])

            sql = district.hand_written(school["id"], query, group)

            def raw():
                with db.engine.connect() as connection:
                    connection.execute(text(sql)).fetchall()

            app_ms, raw_ms = district.median_ms(get, repeat), district.median_ms(raw, repeat)
            rows.append({"view": view_name, "filters": filter_name, "app_ms": app_ms, "raw_ms": raw_ms,
                         "ratio": app_ms / raw_ms})
    worst = sorted(rows, key=lambda row: -row["app_ms"])
    over = [row for row in rows if row["filters"] != "defaults" and (row["app_ms"] > 150 or row["ratio"] > 0.5)]
    defaults = [row for row in rows if row["filters"] == "defaults"]
    print(f"[{engine}] filter matrix: {len(rows)} view × filter combinations; defaults max "
          f"{max(r['app_ms'] for r in defaults):.1f} ms; filtered max {worst[0]['app_ms']:.1f} ms "
          f"({worst[0]['view']}, {worst[0]['filters']}); {len(over)} over 150 ms or 0.5× the hand-written query, "
          f"{sum(not row['filters'].startswith('observer') for row in over)} of them without the bulk-loaded observer",
          flush=True)
    for row in worst[:12]:
        print(f"[{engine}]   {row['view']:<22} {row['filters']:<20} app {row['app_ms']:7.1f} ms  raw {row['raw_ms']:7.1f} ms"
              f"  ratio {row['ratio']:.2f}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--background", type=int, default=60_000, help="observations bulk-loaded first")
    parser.add_argument("--schools", type=int, default=6)
    parser.add_argument("--synced", type=int, default=20_000, help="observations the first school's phones sync")
    parser.add_argument("--observers", type=int, default=3)
    parser.add_argument("--first-share", type=float, default=1 / 3,
                        help="the first school's share of the background (a big school in a smaller district)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "hallpulse-realistic"))
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--skip-matrix", action="store_true", help="leave out the filter matrix")
    parser.add_argument("--matrix-only", action="store_true",
                        help="while developing: the bulk-loaded district and the filter matrix, no sync")
    args = parser.parse_args()
    reports = [run(engine, args) for engine in (("sqlite", "postgresql") if args.engine == "both" else (args.engine,))]
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=1, default=str))


if __name__ == "__main__":
    main()
