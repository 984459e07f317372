"""The meeting brief at a district's scale: the brief's page and PDF beside the same school's heatmap
page alone, in the same run.

    python bench/brief.py --engine both                        # 1M observations, 50 schools (the target)
    python bench/brief.py --engine sqlite --observations 100000 --repeat 3

Loads the data set with bench/heatmap.py's generator and bulk loader (one school year), rebuilds the
rollup, then, signed in as the district admin, times through the Flask app (real access checks,
audit records, templates) for the largest school over its first term (17 Aug to the term's last day
that has happened): the brief as HTML (target ≤ 300 ms) and as a PDF (WeasyPrint, target ≤ 3 s), and
beside them the school's own dashboard heatmap pages over the same term. Medians after one warm-up.
docs/performance.md records a run. Only loopback databases are used.
"""
from __future__ import annotations

import argparse
import gc
import statistics
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("HALLPULSE_BENCH_DB", "hallpulse_bench_brief")  # its own database beside the heatmap bench's
import heatmap as district  # noqa: E402  bench/heatmap.py: the district, its generator and the bulk loader

TERM_START = date(2026, 8, 17)
HTML_TARGET_MS, PDF_TARGET_MS = 300.0, 3000.0


def term_end() -> date:
    """The term's last day that has happened: a brief refuses days in the future."""
    return min(date(2026, 12, 18), datetime.now(timezone.utc).date() - timedelta(days=1))


def measure(app, info: dict, repeat: int) -> list[tuple[str, float, float | None]]:
    from tests.conftest import ApiClient

    school = max(info["schools"], key=lambda s: s["id"])  # the largest school (sizes grow with the id)
    sid = school["id"]
    app.test_client_class = ApiClient
    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"email": "admin@bench.example", "password": district.PASSWORD})
    assert login.status_code == 200
    term = f"start={TERM_START}&end={term_end()}"
    dashboard = f"date_from={TERM_START}&date_to={term_end()}"

    def get(url, mimetype="text/html"):
        def action():
            response = client.get(url)
            assert response.status_code == 200 and response.mimetype == mimetype, (url, response.status_code)
        return action

    rows = [
        ("heatmap page alone: overview (dashboard)", f"/schools/{sid}/dashboard?{dashboard}", "text/html", None),
        ("heatmap page alone: where and when", f"/schools/{sid}/dashboard/frequency?{dashboard}", "text/html", None),
        ("heatmap page alone: traits by kind", f"/schools/{sid}/dashboard/quality?{dashboard}", "text/html", None),
        ("brief figures (JSON API)", f"/api/v1/brief/schools/{sid}?{term}", "application/json", None),
        ("brief page (HTML), leadership", f"/schools/{sid}/brief?{term}", "text/html", HTML_TARGET_MS),
        ("brief page (HTML), staff", f"/schools/{sid}/brief?{term}&version=staff", "text/html", HTML_TARGET_MS),
        ("brief PDF, A4, leadership", f"/schools/{sid}/brief.pdf?{term}", "application/pdf", PDF_TARGET_MS),
        ("brief PDF, US Letter, staff", f"/schools/{sid}/brief.pdf?{term}&paper=letter&version=staff",
         "application/pdf", PDF_TARGET_MS),
        ("district brief page (HTML)", f"/district/{info['district_id']}/brief?{term}", "text/html", None),
    ]
    return [(name, district.median_ms(get(url, mimetype), repeat), cpu_ms(get(url, mimetype), repeat), target)
            for name, url, mimetype, target in rows]


def profile(app, info: dict, engine: str) -> None:
    """Where the district brief and the school brief spend their time: statements sent, and the top of cProfile."""
    import cProfile
    import io
    import pstats

    from sqlalchemy import event

    from server.db import db
    from tests.conftest import ApiClient

    app.test_client_class = ApiClient
    client = app.test_client()
    client.post("/api/v1/auth/login", json={"email": "admin@bench.example", "password": district.PASSWORD})
    sid = max(info["schools"], key=lambda s: s["id"])["id"]
    term = f"start={TERM_START}&end={term_end()}"
    for name, url in (("district brief page", f"/district/{info['district_id']}/brief?{term}"),
                      ("school brief page", f"/schools/{sid}/brief?{term}"),
                      ("school brief PDF", f"/schools/{sid}/brief.pdf?{term}")):
        statements = []
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(url)
        profiler.disable()
        event.remove(db.engine, "before_cursor_execute", listener)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(f"[{engine}] {name}: {len(statements)} SQL statements")
        print(out.getvalue())


def cpu_ms(action, repeat: int) -> float:
    """The median CPU time of this process per request: on a shared 2-core machine the wall time also holds
    the time other processes had the cores, this does not (both are printed)."""
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        action()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


def report(engine: str, app, info: dict, repeat: int, profiled: bool = False) -> None:
    """Measure and print, as a served worker would answer once its app is loaded (objects frozen)."""
    from server.db import db
    from server.gunicorn_conf import freeze_startup_objects

    freeze_startup_objects()
    results = measure(app, info, repeat)
    if profiled:
        profile(app, info, engine)
    baseline = results[0][1]
    print(f"[{engine}] load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"[{engine}] {'request':<44} {'wall ms':>9} {'× overview':>11} {'CPU ms':>8} {'target ms':>10}")
    for name, ms, cpu, target in results:
        verdict = "" if target is None else (" ok" if ms <= target else " OVER")
        print(f"[{engine}] {name:<44} {ms:>9.1f} {ms / baseline:>11.2f} {cpu:>8.1f} {target or '–':>10}{verdict}")
    db.session.remove()
    db.engine.dispose()
    gc.unfreeze()


def run(engine: str, args) -> None:
    from sqlalchemy import text

    from server.cli import upgrade_database
    from server.db import db
    from server.heatmaps import rollup

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if args.reuse:  # measure again, with the code as it is now, on the data set an earlier run left
        url = (f"sqlite:///{work / 'bench.db'}" if engine == "sqlite" else district.PG_ADMIN.rsplit("/", 1)[0]
               .replace("postgresql://", "postgresql+psycopg://", 1) + f"/{district.PG_DATABASE}")
        app = district.create_app_for(url, work / "instance")
        with app.app_context():
            from server.schools.models import School

            upgrade_database()
            schools = list(db.session.scalars(db.select(School).order_by(School.id)))
            report(engine, app, {"district_id": schools[0].district_id,
                                 "schools": [{"id": school.id} for school in schools]}, args.repeat, args.profile)
        return
    app = district.create_app_for(district.fresh_database(engine, work), work / "instance")
    with app.app_context():
        upgrade_database()
        info = district.set_up_district(db, args.schools)
        loaded = district.bulk_load(db, engine, district.Generator(args.seed, args.observations, args.schools), info)
        print(f"[{engine}] loaded {loaded['observation']:,} observations in {loaded['seconds']:.1f} s")
        with db.engine.begin() as connection:
            for table in ("walk", "observation", "observation_trait_level", "location", "school", "follow_up"):
                connection.execute(text(f"ANALYZE {table}"))
        started = time.perf_counter()
        rollup.rebuild()
        db.session.commit()
        db.session.remove()  # a served worker answers from a fresh session, not one holding the rebuild's objects
        print(f"[{engine}] rollup rebuilt in {time.perf_counter() - started:.1f} s")
        with db.engine.begin() as connection:
            for table in ("heatmap_trait_day", "heatmap_place_day", "heatmap_school_day", "heatmap_state"):
                connection.execute(text(f"ANALYZE {table}"))
        report(engine, app, info, args.repeat, args.profile)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="Measure again on the data set an earlier run left.")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "hallpulse-bench-brief"))
    parser.add_argument("--profile", action="store_true",
                        help="also print the SQL statements and a cProfile summary of the district brief and school brief")
    args = parser.parse_args()
    for engine in (("sqlite", "postgresql") if args.engine == "both" else (args.engine,)):
        run(engine, args)


if __name__ == "__main__":
    main()
