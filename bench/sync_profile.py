"""Where a realistic sync batch goes: bench/realistic.py's district and phones, the sync service in-process.

    python bench/sync_profile.py --engine sqlite --background 12000 --synced 3000 --warm 4 --timed 6 --profiled 3 [--edits 4]

Builds the district, syncs `--warm` batches, then times `--timed` batches (the sync service and its commit,
beside Core executemany of the same rows, WAL checkpointed before each) with every SQL statement's
cursor time and the wall time of the service's steps (timers on a few functions, no profiler: cProfile
inflates Python several times over and hides which part is the database's), and cProfiles `--profiled`
more: the statements, the steps and the profile's split are printed and the profile written to
WORK/profile.txt and WORK/profile.pstats. `--edits N` then times N rounds of a batch of 200 edits of the
first phone's logs spread over the term (as bench/realistic.py's) beside a batch of 200 new records, with
their steps. The HTTP request's fixed costs (session, CSRF, JSON, response) are left out:
bench/realistic.py times those through gunicorn."""
import argparse
import cProfile
import gc
import io
import json
import logging
import pstats
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import realistic, heatmap as district
from bench.sync_ingest import settle_wal

p = argparse.ArgumentParser()
p.add_argument("--engine", default="sqlite"); p.add_argument("--background", type=int, default=30000)
p.add_argument("--schools", type=int, default=4); p.add_argument("--synced", type=int, default=6000)
p.add_argument("--warm", type=int, default=10); p.add_argument("--timed", type=int, default=10)
p.add_argument("--profiled", type=int, default=5); p.add_argument("--edits", type=int, default=0); p.add_argument("--work", default="/tmp/hallpulse-sync-profile")
a = p.parse_args()
from sqlalchemy import event, text
work = Path(a.work); work.mkdir(parents=True, exist_ok=True)
url = district.fresh_database(a.engine, work)
app = district.create_app_for(url, work / "instance")
logging.getLogger("hallpulse.requests").setLevel(logging.WARNING)
from server.db import db
from server.cli import upgrade_database
from server.heatmaps import rollup
with app.app_context():
    upgrade_database()
    info = district.set_up_district(db, a.schools)
    g = district.Generator(7, a.background, a.schools, realistic=True)
    first = int(a.background / 3)
    g.sizes = [first] + [(a.background - first) // (a.schools - 1)] * (a.schools - 1)
    district.bulk_load(db, a.engine, g, info)
    with db.engine.begin() as c:
        for t in ("walk", "observation", "observation_trait_level", "location", "school"):
            c.execute(text(f"ANALYZE {t}"))
    rollup.rebuild(); db.session.commit()
    district.settle_rollup(db, a.engine)
    school, other = info["schools"][0], info["schools"][-1]
    observers = realistic.add_observers(db, school, 3, info["district_id"])
    phones = realistic.Phones(8, school, observers, info["rubric_id"], a.synced)
    ordered = realistic.batches_in_order(phones.outboxes())
    baseline = realistic.Baseline(db, other, info)
    stmt_times = defaultdict(lambda: [0, 0.0])
    state = {"on": False}
    @event.listens_for(db.engine, "before_cursor_execute")
    def b(conn, cursor, statement, params, context, many):
        conn.info["t0"] = time.perf_counter()
    @event.listens_for(db.engine, "after_cursor_execute")
    def af(conn, cursor, statement, params, context, many):
        if state["on"]:
            s = stmt_times[statement[:160]]; s[0] += 1; s[1] += time.perf_counter() - conn.info["t0"]
    from server.auth.models import User
    from server.heatmaps import deltas, digest, upkeep
    from server.observations import service
    from server.walks import service as walks
    steps = defaultdict(float)  # wall seconds per step while state["on"]

    def timed_step(owner, name: str) -> None:
        original = getattr(owner, name)
        label = f"{getattr(owner, '__name__', '?').rsplit('.', 1)[-1]}.{name}"

        def step(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                if state["on"]:
                    steps[label] += time.perf_counter() - started
        setattr(owner, name, step)

    for owner, name in ((service, "parse"), (service.BatchSync, "load"), (service.BatchSync, "plan"),
                        (service.BatchSync, "write"), (service, "write_observations"), (walks, "write_walks"),
                        (walks, "compare_and_set_many"), (deltas, "lock_rows"), (deltas, "observation_rows"),
                        (deltas, "count_rows"), (upkeep, "add_inserted"), (upkeep, "refresh"),
                        (upkeep, "add_trait_counts"), (upkeep, "add_presence"), (deltas, "clear_empty_rows"),
                        (digest, "replace_conversations"), (digest, "replace_walk_time")):
        timed_step(owner, name)

    def post(i, batch):
        body = json.dumps({"school_id": school["id"], "records": batch})
        t = time.perf_counter()
        with app.test_request_context("/api/v1/sync", method="POST"):
            records = json.loads(body)["records"]
            user = db.session.get(User, observers[i]["id"])
            out = service.sync_batch(user, school["id"], records)
            committing = time.perf_counter()
            db.session.commit()
            if state["on"]:
                steps["commit"] += time.perf_counter() - committing
            db.session.remove()
        t = time.perf_counter() - t
        assert all(r["status"] == "stored" for r in out), out[:2]
        return t

    def print_steps(batches: int) -> None:
        for label, seconds in sorted(steps.items(), key=lambda kv: -kv[1]):
            print(f"   {seconds / batches * 1000:7.2f} ms  {label}")
        steps.clear()

    gc.freeze()  # as a served worker does once the app is loaded (server/gunicorn_conf.py)
    ratios = []
    for number, (i, batch) in enumerate(ordered[:a.warm + a.timed + a.profiled]):
        settle_wal(db.engine); core = baseline.insert(batch); settle_wal(db.engine)
        if number < a.warm:
            post(i, batch); continue
        if number < a.warm + a.timed:
            state["on"] = True
            api = post(i, batch); state["on"] = False
            ratios.append((api, core)); continue
        pr = cProfile.Profile(); pr.enable(); post(i, batch); pr.disable()
        if number == a.warm + a.timed: prof = pstats.Stats(pr)
        else: prof.add(pr)
    api = sum(r[0] for r in ratios); core = sum(r[1] for r in ratios)
    print(f"timed {len(ratios)} batches: API {api/len(ratios)*1000:.1f} ms, core {core/len(ratios)*1000:.1f} ms, ratio {core/api:.3f}")
    print("steps, wall time a batch (nested: write holds the writes, the upkeep and the digest):")
    print_steps(len(ratios))
    total = sum(v[1] for v in stmt_times.values())
    print(f"SQL total {total/len(ratios)*1000:.1f} ms/batch")
    for s, (c, t) in sorted(stmt_times.items(), key=lambda kv: -kv[1][1])[:25]:
        print(f"{t/len(ratios)*1000:7.2f} ms {c/len(ratios):6.1f}x  {s!r}")
    out = io.StringIO(); prof.stream = out
    prof.sort_stats("cumulative").print_stats(70)
    prof.sort_stats("tottime").print_stats(30)
    Path(a.work, "profile.txt").write_text(out.getvalue())
    prof.dump_stats(str(Path(a.work, "profile.pstats")))
    if a.edits:
        # The first phone's logs synced so far, edited as bench/realistic.py edits them (`edit_of`), spread over the term
        synced = {record["id"] for _i, batch in ordered[:a.warm + a.timed + a.profiled] for record in batch}
        mine = [r for r in phones.outboxes_made if r["type"] == "observation" and r["id"] in synced]
        rng = random.Random(3)
        rng.shuffle(mine)
        spent = {"edit": [], "new": []}
        for repeat in range(a.edits):
            chosen = sorted(mine[repeat * 200:(repeat + 1) * 200], key=lambda r: r["observed_at"])
            edits = [realistic.edit_of(record, rng) for record in chosen]
            fresh = []
            while len(fresh) < 200:
                fresh += phones.day_of(phones.days[-1 - repeat])
            for kind, batch in (("edit", edits), ("new", fresh[:200])):
                state["on"] = True
                spent[kind].append(post(0, batch))
                state["on"] = False
                if kind == "edit":
                    print(f"edit batch {repeat + 1}: {spent[kind][-1] * 1000:.1f} ms; steps:")
                    print_steps(1)
                else:
                    steps.clear()
        edit, new = statistics.median(spent["edit"]), statistics.median(spent["new"])
        print(f"{a.edits} rounds: 200 edits {edit * 1000:.1f} ms, 200 new {new * 1000:.1f} ms (medians), "
              f"edits {edit / new:.2f}x new")
    db.session.remove(); db.engine.dispose()
