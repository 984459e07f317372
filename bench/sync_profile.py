"""Where a realistic sync batch goes: bench/realistic.py's district and phones, the sync service in-process.

    python bench/sync_profile.py --engine sqlite --background 12000 --synced 3000 --warm 4 --timed 6 --profiled 3

Builds the district, syncs `--warm` batches, then times `--timed` batches (the sync service and its commit,
beside Core executemany of the same rows, WAL checkpointed before each) with every SQL statement's
cursor time, and cProfiles `--profiled` more: the statements and the profile's split are printed and
the profile written to WORK/profile.txt and WORK/profile.pstats. The HTTP request's fixed costs
(session, CSRF, JSON, response) are left out: bench/realistic.py times those through gunicorn."""
import argparse
import cProfile
import io
import json
import logging
import os
import pstats
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
p.add_argument("--profiled", type=int, default=5); p.add_argument("--work", default="/tmp/hallpulse-sync-profile")
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
    realistic.settle_rollup(db, a.engine)
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
    from server.observations import service
    from server.auth.models import User
    def post(i, batch):
        body = json.dumps({"school_id": school["id"], "records": batch})
        t = time.perf_counter()
        with app.test_request_context("/api/v1/sync", method="POST"):
            records = json.loads(body)["records"]
            user = db.session.get(User, observers[i]["id"])
            out = service.sync_batch(user, school["id"], records)
            db.session.commit()
            db.session.remove()
        t = time.perf_counter() - t
        assert all(r["status"] == "stored" for r in out), out[:2]
        return t
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
    total = sum(v[1] for v in stmt_times.values())
    print(f"SQL total {total/len(ratios)*1000:.1f} ms/batch")
    for s, (c, t) in sorted(stmt_times.items(), key=lambda kv: -kv[1][1])[:25]:
        print(f"{t/len(ratios)*1000:7.2f} ms {c/len(ratios):6.1f}x  {s!r}")
    out = io.StringIO(); prof.stream = out
    prof.sort_stats("cumulative").print_stats(70)
    prof.sort_stats("tottime").print_stats(30)
    Path(a.work, "profile.txt").write_text(out.getvalue())
    prof.dump_stats(str(Path(a.work, "profile.pstats")))
    db.session.remove(); db.engine.dispose()
