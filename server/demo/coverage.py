"""The demo's coverage history: leaders walk to the planned conversations, and the plan tells a story.

Each plan has a chance of being checked when it is due and, once checked, of being heard. Lincoln's
Grade 7 PLC is the strong one (checked and heard nearly every week, its focus traits often strong);
its Grade 8 PLC rarely happens (mostly "did not meet" or called off). Riverside's Math PLC is strong,
its Grade 9 team data meeting rarely happens, and its post-observation conferences are seldom checked.
A heard occurrence is a short walk to the plan's place with one log linked to it (plan and local day);
a missed one is a check. Drawn from an RNG of their own, so the rest of the semester is as before.
"""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone

from server.coverage.occurrences import planned_days
from server.demo import conversations as talk
from server.demo.people_places import BuiltSchool
from server.demo.semester import SemesterRows, SemesterWriter, improvement, new_id
from server.enums import PlanCheckOutcome

# plan name → (chance it is checked when due, chance a checked one is heard, how strong its focus traits are)
STORIES = {
    "Grade 7 PLC": (0.95, 0.92, 0.8),
    "Grade 8 PLC": (0.85, 0.22, 0.0),
    "Math PLC (late start)": (0.9, 0.88, 0.7),
    "Grade 9 team data meeting": (0.9, 0.2, 0.0),
    "Post-observation conferences": (0.25, 0.7, 0.2),
}
USUAL = (0.6, 0.7, 0.3)
MISSED = {True: ((PlanCheckOutcome.NOT_HELD, 0.55), (PlanCheckOutcome.CANCELLED, 0.35), (PlanCheckOutcome.NOT_LEARNING, 0.1)),
          False: ((PlanCheckOutcome.NOT_HELD, 0.3), (PlanCheckOutcome.CANCELLED, 0.2), (PlanCheckOutcome.NOT_LEARNING, 0.5))}
WALKERS = ("principal", "ap", "coach")


def coverage_rows(seed: int, built: BuiltSchool, rubric_id: int, trait_ids: dict[str, int], plans: list,
                  now: datetime) -> tuple[SemesterRows, list[dict]]:
    """The walks, linked logs (with their follow-ups) of heard occurrences, and the checks of missed ones."""
    rng = random.Random(f"{seed}-coverage-{built.plan.key}")
    rows = SemesterRows()
    writer = SemesterWriter(rng, built, rubric_id, trait_ids, rows, now)
    checks = []
    calendar = writer.calendar
    for plan in sorted(plans, key=lambda p: p.name):
        checked_odds, heard_odds, focus_lift = STORIES.get(plan.name, USUAL)
        rarely = heard_odds < 0.5
        for due in planned_days(plan, built.plan.timezone, calendar.first_day, calendar.last_day):
            if due.cancelled or due.utc_start + timedelta(minutes=40) > now or rng.random() >= checked_odds:
                continue
            walker = built.user_ids[rng.choice(WALKERS)]
            arrived = due.local_start + timedelta(minutes=rng.randint(3, 15))
            if rng.random() < heard_odds:
                heard_at(writer, plan, due, walker, arrived, focus_lift)
            else:
                outcome = talk.weighted(rng, MISSED[rarely])
                checks.append({"id": uuid.UUID(int=rng.getrandbits(128), version=4), "school_id": built.school.id,
                               "plan_id": plan.id, "day": due.day, "observer_id": walker, "outcome": outcome,
                               "checked_at": arrived.astimezone(timezone.utc),
                               "utc_offset_minutes": int(arrived.utcoffset().total_seconds()) // 60, "version": 1,
                               "content_hash": "", "created_at": arrived.astimezone(timezone.utc),
                               "updated_at": arrived.astimezone(timezone.utc)})
    return rows, checks


def team_of(plan, teams: tuple[str, ...]) -> str | None:
    return next((team for team in teams if plan.name.startswith(team) or f" {team} " in f" {plan.name} "), None)


def heard_at(writer: SemesterWriter, plan, due, walker: int, arrived: datetime, focus_lift: float) -> None:
    """A 12–25 minute walk to the meeting with one log linked to the occurrence (and its follow-up, if flagged)."""
    built, rng, rows = writer.built, writer.rng, writer.rows
    ended = arrived + timedelta(minutes=rng.randint(12, 25))
    walk_id = new_id(rng)
    rows.walks.append({"id": walk_id, "school_id": built.school.id, "observer_id": walker,
                       "started_at": arrived.astimezone(timezone.utc), "ended_at": ended.astimezone(timezone.utc),
                       "version": 1, "created_at": arrived.astimezone(timezone.utc),
                       "updated_at": ended.astimezone(timezone.utc)})
    kind = plan.kind
    team = team_of(plan, built.plan.teams) or talk.choose_team(rng, kind, None, built.plan.teams)
    levels = talk.trait_levels(rng, kind, team, improvement(built.plan, due.day - writer.calendar.shift))
    for index, key in enumerate(talk.TRAIT_KEYS):
        if key in plan.focus_traits and rng.random() < focus_lift:
            levels[index] = 2 if rng.random() < focus_lift else max(levels[index], 1)
    count, roles = talk.choose_people(rng, kind)
    flagged = talk.wants_follow_up(rng, kind, levels)
    heard = arrived + (ended - arrived) * rng.uniform(0.3, 0.9)
    observed_at = heard.astimezone(timezone.utc)
    observation_id = new_id(rng)
    rows.observations.append({
        "id": observation_id, "school_id": built.school.id, "observer_id": walker, "walk_id": walk_id,
        "rubric_id": writer.rubric_id, "location_id": plan.location_id, "observed_at": observed_at,
        "utc_offset_minutes": int(heard.utcoffset().total_seconds()) // 60, "local_date": heard.date(),
        "setting": kind.setting, "conversation_kind": kind, "participant_count": count, "participant_roles": roles,
        "team": team, "note": talk.choose_note(rng, kind, levels, flagged), "needs_follow_up": flagged, "version": 1,
        "content_hash": "", "created_at": observed_at, "updated_at": observed_at,
        "plan_id": plan.id, "plan_day": due.day,
    })
    rows.trait_levels.extend({"observation_id": observation_id, "trait_id": writer.trait_ids[key], "level": level}
                             for key, level in zip(talk.TRAIT_KEYS, levels))
    if flagged:
        writer.follow_up(observation_id, walker, team, heard, ended)
