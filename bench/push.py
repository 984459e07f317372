"""Push reminders: reminders/s through the dispatcher versus a bare sequential pywebpush.webpush() loop.

    /work/venv/bin/python bench/push.py [--count 2000] [--pool-size 32] [--delay 0.05] [--engine sqlite|postgresql]

A push receiver runs in its own process on 127.0.0.1 and answers each request after `--delay`
seconds (a real push service is a network round trip away); it checks every VAPID header and
decrypts every payload, as in the tests. Both senders push the same `--count` reminders (same
devices, same payloads) in the same run: first the bare loop (one webpush() per reminder, a fresh
claims dict each, the parsed VAPID key, the same timeouts), then one dispatcher pass, which also
schedules, claims and records every reminder in the database. CPU ms per reminder is this
process's CPU time (the receiver's is not counted). The target is a ratio of at least 5x.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEVICES = 200
PG_ADMIN_URL = os.environ.get("HALLPULSE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def run_receiver(server_key: str, delay: float, devices: int, queue) -> None:
    """The receiver process: make the devices, report them and the origin, then serve until killed."""
    from tests.push.receiver import PushReceiver

    with PushReceiver(server_key, delay=delay, keep_payloads=False) as receiver:
        queue.put({"origin": receiver.origin, "devices": [receiver.subscription(f"d{n}") for n in range(devices)]})
        while True:
            time.sleep(3600)


def receiver_stats(origin: str) -> dict:
    with urllib.request.urlopen(f"{origin}/_stats?counts=1", timeout=30) as response:
        return json.loads(response.read())


def database(engine: str, workdir: Path) -> tuple[str, str | None]:
    if engine == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}", None
    import psycopg

    name = f"hallpulse_bench_push_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}", name


def seed(devices: list[dict], count: int) -> list[tuple[dict, bytes]]:
    """A school, one observer per device, `count` due follow-ups spread over them; (device, payload) per reminder."""
    from sqlalchemy import insert

    from server.auth.models import Membership, User
    from server.db import db
    from server.enums import Role
    from server.followups.models import FollowUp
    from server.push.dispatcher import follow_up_payload
    from server.push.models import PushSubscription
    from server.schools.models import District, School

    district = District(name="Bench District")
    db.session.add(district)
    db.session.flush()
    school = School(name="Bench Middle School", district_id=district.id, timezone="America/Chicago")
    db.session.add(school)
    db.session.flush()
    users = [User(email=f"bench{n}@example.org", name=f"Bench {n}", password_hash=None) for n in range(len(devices))]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(Membership(user_id=u.id, district_id=district.id, school_id=school.id, role=Role.OBSERVER) for u in users)
    db.session.add_all(PushSubscription(user_id=u.id, endpoint=d["endpoint"], p256dh=d["keys"]["p256dh"], auth=d["keys"]["auth"])
                       for u, d in zip(users, devices))
    due = datetime.now(timezone.utc) - timedelta(minutes=5)
    rows, work = [], []
    for n in range(count):
        owner = n % len(users)
        row = {"id": uuid.uuid4(), "school_id": school.id, "owner_id": users[owner].id, "created_by_id": users[owner].id,
               "action": f"Ask team {n} about Friday's quiz data", "due_at": due, "status": "open", "version": 1,
               "created_at": due, "updated_at": due}
        rows.append(row)
        work.append((devices[owner], follow_up_payload(row["id"], row["action"], due, school.id)))
    db.session.execute(insert(FollowUp), rows)
    db.session.commit()
    return work


def bare_loop(work: list[tuple[dict, bytes]], vapid, subject: str) -> tuple[float, float]:
    from pywebpush import webpush

    wall, cpu = time.perf_counter(), time.process_time()
    for device, payload in work:
        webpush(device, data=payload, vapid_private_key=vapid, vapid_claims={"sub": subject},
                ttl=43200, timeout=(3.05, 10.0))
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--pool-size", type=int, default=32)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="hallpulse-bench-push-"))
    os.environ["HALLPULSE_INSTANCE"] = str(workdir)
    url, pg_name = database(args.engine, workdir)
    from server import create_app
    from server.cli import upgrade_database
    from server.push.dispatcher import Dispatcher
    from server.push.endpoint_guard import EndpointPolicy
    from server.push.keys import application_server_key, ensure_key_pair, load_vapid
    from server.push.sender import PushSender

    ensure_key_pair(workdir)
    app = create_app({"HALLPULSE_ENV": "testing", "TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(workdir)})
    queue = multiprocessing.get_context("spawn").Queue()
    with app.app_context():
        upgrade_database()
        vapid, subject = load_vapid(app.config), app.config["VAPID_SUBJECT"]
        receiver = multiprocessing.get_context("spawn").Process(
            target=run_receiver, args=(application_server_key(vapid), args.delay, min(DEVICES, args.count), queue), daemon=True)
        receiver.start()
        try:
            started = queue.get(timeout=60)
            work = seed(started["devices"], args.count)

            bare_wall, bare_cpu = bare_loop(work, vapid, subject)
            after_bare = receiver_stats(started["origin"])

            sender = PushSender(vapid, subject, EndpointPolicy(allow_loopback=True))  # the bench's receiver is on loopback
            with Dispatcher(sender, pool_size=args.pool_size) as dispatcher:
                wall, cpu = time.perf_counter(), time.process_time()
                summary = dispatcher.run_pass()
                dispatch_wall, dispatch_cpu = time.perf_counter() - wall, time.process_time() - cpu
            stats = receiver_stats(started["origin"])
        finally:
            receiver.kill()
            from server.db import db

            db.engine.dispose()
    if pg_name:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')

    bare_rate, dispatch_rate = args.count / bare_wall, args.count / dispatch_wall
    exactly_once = set(stats["counts"].values()) == {2} and len(stats["counts"]) == args.count
    print(f"push reminders: {args.count} to a loopback receiver answering after {args.delay * 1000:.0f} ms "
          f"({args.engine}, pool {args.pool_size})")
    print(f"  bare webpush() loop : {bare_rate:8.1f} reminders/s  {bare_cpu / args.count * 1000:5.2f} CPU ms/reminder  "
          f"({bare_wall:.1f} s, {after_bare['delivered']} delivered)")
    print(f"  dispatcher pass     : {dispatch_rate:8.1f} reminders/s  {dispatch_cpu / args.count * 1000:5.2f} CPU ms/reminder  "
          f"({dispatch_wall:.1f} s; {summary.describe()})")
    print(f"  ratio dispatcher / bare loop: {dispatch_rate / bare_rate:.1f}x (target >= 5x)")
    print(f"  receiver: {stats['delivered']} verified and decrypted, {stats['error_count']} errors; "
          f"each reminder exactly once per sender: {exactly_once}")
    return 0 if stats["error_count"] == 0 and exactly_once and summary.outcomes.get("delivered") == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
