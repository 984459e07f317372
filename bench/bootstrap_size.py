"""Size of GET /api/v1/bootstrap for an observer of a school with 40 planned conversations (issue 16),
against the same bootstrap without its `plans` (what the app was sent before), in the same run.

    PYTHONPATH=. python bench/bootstrap_size.py [--engine-url URL]

A fresh SQLite database (or the URL given), migrated; one school as the tests build it (3 places, 8
periods, the two built-in rubrics) plus 40 weekly plans spread over the five school days and the
day's hours; the clock is each weekday in turn, so the figure printed is the worst day of the week.
Raw JSON bytes and gzip -6 bytes (what flask-compress sends) with their ratios; the budget is 1.25.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGET = 1.25
PLAN_NAMES = ("Grade {n} PLC", "Grade {n} data team", "Math department {n}", "Post-observation conference {n}",
              "Coaching cycle {n}", "Learning-walk debrief {n}", "Planning: unit {n}", "English PLC {n}")


def build(app, extra_places: int = 0):
    from server.db import db
    from server.enums import ConversationKind, PlanFrequency
    from server.plans.models import PlannedConversation, PlanSchedule
    from tests import factories

    from server.enums import LocationKind
    from server.schools.models import Location

    school = factories.create_school()
    for n in range(extra_places):
        db.session.add(Location(school_id=school.id, name=f"Room {101 + n}", kind=LocationKind.CLASSROOM))
    db.session.commit()
    user = factories.create_user(role="observer", school=school)
    places = [location.id for location in school.locations]
    for n in range(40):
        start = time(7 + (n * 7) % 9, 5 * (n % 12))
        db.session.add(PlannedConversation(
            school_id=school.id, name=PLAN_NAMES[n % len(PLAN_NAMES)].format(n=6 + n // len(PLAN_NAMES)),
            purpose="Using data to see where practice falls short", kind=ConversationKind.PLC,
            location_id=places[n % len(places)], strategy="Common formative assessments", focus_traits=["evidence"],
            schedules=[PlanSchedule(version=1, frequency=PlanFrequency.WEEKLY, weekdays=[n % 5], starts_at=start,
                                    ends_at=time(start.hour + 1, start.minute), first_day=datetime(2026, 8, 17).date(),
                                    last_day=datetime(2027, 6, 4).date(), added_dates=[], cancelled_dates=[])]))
    db.session.commit()
    return school, user


def sizes(app, user, now: datetime) -> tuple[bytes, bytes]:
    from server.observations import bootstrap as service
    from schemas.bootstrap import BootstrapSchema

    with mock.patch.object(service, "utcnow", return_value=now):
        body = BootstrapSchema().dump(service.bootstrap(user))
    with_plans = json.dumps(body, separators=(",", ":")).encode()
    for school in body["schools"]:
        school.pop("plans")
    without = json.dumps(body, separators=(",", ":")).encode()
    return with_plans, without


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine-url", default=None)
    args = parser.parse_args()
    from server import create_app
    from server.cli import upgrade_database

    folder = Path(tempfile.mkdtemp())
    url = args.engine_url or f"sqlite:///{folder / 'bench.db'}"
    app = create_app({"HALLPULSE_ENV": "testing", "TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "INSTANCE_DIR": str(folder), "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade_database()
        for label, extra in (("the tests' school: 3 places", 0), ("a demo-sized school: 21 places", 18)):
            print(label)
            measure(app, *build(app, extra))


def measure(app, school, user) -> None:
    monday = datetime(2026, 11, 30, 13, 0, tzinfo=timezone.utc)  # 07:00 in Chicago
    worst = None
    for offset in range(7):
        now = monday + timedelta(days=offset)
        with_plans, without = sizes(app, user, now)
        raw = len(with_plans) / len(without)
        zipped = len(gzip.compress(with_plans, 6)) / len(gzip.compress(without, 6))
        plans = len(json.loads(with_plans)["schools"][0]["plans"]["id"])
        print(f"{now:%a}: {plans:2d} plans  raw {len(without):6d} -> {len(with_plans):6d} B ({raw:.3f}x)  "
              f"gzip {len(gzip.compress(without, 6)):5d} -> {len(gzip.compress(with_plans, 6)):5d} B ({zipped:.3f}x)")
        worst = max(worst or (0, 0), (raw, zipped))
    print(f"worst day: raw {worst[0]:.3f}x, gzip {worst[1]:.3f}x of the bootstrap without plans (budget {BUDGET}x)")


if __name__ == "__main__":
    main()
