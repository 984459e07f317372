"""A seeded fall semester of walks, what was heard on them and the follow-ups, as rows for bulk inserts.

Calendar: the fall of 2026, Monday 2026-08-17 to Friday 2026-12-18, weekdays only, without Labor Day,
the district's professional-development day (Monday 2026-10-12) and Thanksgiving week: 83 school days;
moved by whole weeks (weekdays, holidays and Lincoln's PD day with it) so that its last week is the
week of the load, and cut at the moment of the load: the semester ends today in each school's zone,
and nothing in it (no walk, observation or follow-up's creation, completion or update) is in the
future. Only an open follow-up (or one done early) may be due later.
Walks: each school day each walker (principal, assistant principal, coach) takes 0–3 walks
(about 2) of 10–40 minutes, each in a different block of the day (before school, morning classes,
lunch, afternoon classes, after school), past 2–5 places the block draws them to.
Conversations: at each place they are heard at a rate per hour walked set by the kind of place and
the time (hallways loud at passing time and quiet mid-class, meeting rooms busy in planning periods
and after school, parking lots only before and after school), times the period's activity (common
planning periods are busy; first and last periods quiet) and the place's own busyness (a back
hallway or the student lot is quiet); a walk logs at most 8. Lincoln's talk improves from its PD day (a jump, then a 45-day ramp);
Riverside's stays flat. The trait model is in conversations.py.
"""
from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from server.demo import conversations as talk
from server.demo.people_places import AFTER, BEFORE, CLASS, LUNCH, BuiltSchool, PlacePlan, SchoolPlan
from server.enums import FollowUpStatus
from server.enums import LocationKind as Kind

FIRST_DAY = date(2026, 8, 17)
LAST_DAY = date(2026, 12, 18)
WINTER_BREAK_ENDS = date(2027, 1, 4)
NO_SCHOOL = {date(2026, 9, 7), date(2026, 10, 12)} | {date(2026, 11, 23) + timedelta(days=d) for d in range(5)}
PASSING = "passing"
PASSING_MINUTES = 5
MAX_PER_WALK = 8
IMPROVEMENT_RAMP_DAYS = 45

# Conversations heard per hour spent at a kind of place, by block of the day.
RATES_PER_HOUR: dict[Kind, dict[str, float]] = {
    Kind.HALLWAY: {BEFORE: 20, CLASS: 5, PASSING: 45, LUNCH: 14, AFTER: 16},
    Kind.LOUNGE: {BEFORE: 20, CLASS: 14, PASSING: 18, LUNCH: 32, AFTER: 10},
    Kind.MEETING_ROOM: {BEFORE: 8, CLASS: 26, PASSING: 20, LUNCH: 6, AFTER: 32},
    Kind.OFFICE: {BEFORE: 10, CLASS: 16, PASSING: 12, LUNCH: 6, AFTER: 14},
    Kind.LIBRARY: {BEFORE: 6, CLASS: 16, PASSING: 12, LUNCH: 6, AFTER: 23},
    Kind.CAFETERIA: {BEFORE: 14, CLASS: 1.5, PASSING: 6, LUNCH: 28, AFTER: 3},
    Kind.CLASSROOM: {BEFORE: 8, CLASS: 10, PASSING: 8, LUNCH: 8, AFTER: 23},
    Kind.OUTDOORS: {BEFORE: 16, CLASS: 0.5, PASSING: 1, LUNCH: 1.5, AFTER: 14},
}
# Where a walk in each slot of the day tends to go.
ROUTE_WEIGHTS: dict[str, dict[Kind, float]] = {
    "before": {Kind.HALLWAY: 3, Kind.OUTDOORS: 2, Kind.OFFICE: 2, Kind.LOUNGE: 2, Kind.CAFETERIA: 1,
               Kind.MEETING_ROOM: 1, Kind.LIBRARY: 0.5, Kind.CLASSROOM: 0.5},
    "morning": {Kind.HALLWAY: 3, Kind.MEETING_ROOM: 3, Kind.LIBRARY: 2, Kind.OFFICE: 2, Kind.CLASSROOM: 1.5,
                Kind.LOUNGE: 1.5, Kind.CAFETERIA: 0.2, Kind.OUTDOORS: 0.2},
    "lunch": {Kind.CAFETERIA: 3, Kind.LOUNGE: 3, Kind.HALLWAY: 2, Kind.MEETING_ROOM: 1, Kind.LIBRARY: 1,
              Kind.OFFICE: 0.5, Kind.CLASSROOM: 0.5, Kind.OUTDOORS: 0.2},
    "after": {Kind.MEETING_ROOM: 3, Kind.LIBRARY: 2, Kind.HALLWAY: 2, Kind.CLASSROOM: 2, Kind.OUTDOORS: 1.5,
              Kind.OFFICE: 1, Kind.LOUNGE: 1, Kind.CAFETERIA: 0.3},
}
ROUTE_WEIGHTS["afternoon"] = ROUTE_WEIGHTS["morning"]
# Which slots each walker prefers, and how many walks they take on a day.
SLOT_PREFERENCE = {
    "principal": {"before": 3, "morning": 1.5, "lunch": 2.5, "afternoon": 1, "after": 2},
    "ap": {"before": 2, "morning": 2, "lunch": 3, "afternoon": 1.5, "after": 1.5},
    "coach": {"before": 1, "morning": 3, "lunch": 1, "afternoon": 3, "after": 2},
}
WALKS_PER_DAY = ((0, 0.05), (1, 0.2), (2, 0.45), (3, 0.3))


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Calendar:
    """The fall-2026 calendar moved by `shift` (whole weeks) so that its last week is the week of `today`."""

    shift: timedelta
    today: date

    @classmethod
    def ending(cls, today: date) -> Calendar:
        return cls(monday(today) - monday(LAST_DAY), today)

    @property
    def first_day(self) -> date:
        return FIRST_DAY + self.shift

    @property
    def last_day(self) -> date:
        """Today, or the Friday before on a weekend."""
        return min(LAST_DAY + self.shift, self.today)

    def is_school_day(self, day: date) -> bool:
        """Weekdays without the holidays and the winter break (also after the last day: for due dates)."""
        template = day - self.shift
        return day.weekday() < 5 and template not in NO_SCHOOL and not LAST_DAY < template < WINTER_BREAK_ENDS

    def school_days(self) -> list[date]:
        """Weekdays of the semester up to today, without Labor Day, the district PD day and Thanksgiving week."""
        days = (self.first_day + timedelta(days=offset) for offset in range((self.last_day - self.first_day).days + 1))
        return [day for day in days if self.is_school_day(day)]

    def add_school_days(self, day: date, count: int) -> date:
        while count:
            day += timedelta(days=1)
            count -= self.is_school_day(day)
        return day


def improvement(plan: SchoolPlan, day: date) -> float:
    """0 before the school starts to improve, then a jump and a ramp up to 1."""
    if plan.improves_from is None or day < plan.improves_from:
        return 0.0
    return min(1.0, 0.4 + 0.6 * (day - plan.improves_from).days / IMPROVEMENT_RAMP_DAYS)


def new_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def draw_distinct(rng: random.Random, weights: dict, count: int) -> list:
    """`count` different keys, each drawn with odds in proportion to its weight."""
    remaining, chosen = dict(weights), []
    for _ in range(count):
        chosen.append(talk.weighted(rng, remaining.items()))
        del remaining[chosen[-1]]
    return chosen


def minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


class DaySchedule:
    """A school's bell schedule as minutes after midnight: blocks of the day and walk slots."""

    def __init__(self, plan: SchoolPlan):
        self.periods = [(minutes(p.starts_at), minutes(p.ends_at), p.block, p.activity) for p in plan.periods]
        lunches = [(start, end) for start, end, block, _ in self.periods if block == LUNCH]
        first_class = min(start for start, _, block, _ in self.periods if block == CLASS)
        before = next((s, e) for s, e, b, _ in self.periods if b == BEFORE)
        after = next((s, e) for s, e, b, _ in self.periods if b == AFTER)
        self.slots = {"before": before, "morning": (first_class, lunches[0][0]),
                      "lunch": (lunches[0][0], lunches[-1][1]), "afternoon": (lunches[-1][1], after[0]),
                      "after": after}

    def block_at(self, minute: float) -> str:
        for start, end, block, _ in self.periods:
            if start <= minute < end:
                return PASSING if block == CLASS and minute >= end - PASSING_MINUTES else block
        return AFTER if minute >= self.periods[-1][1] else BEFORE

    def activity_at(self, minute: float) -> float:
        return next((activity for start, end, _, activity in self.periods if start <= minute < end), 1.0)


@dataclass
class SemesterRows:
    walks: list[dict] = field(default_factory=list)
    observations: list[dict] = field(default_factory=list)
    trait_levels: list[dict] = field(default_factory=list)
    follow_ups: list[dict] = field(default_factory=list)

    def drop_after(self, now: datetime) -> None:
        """Leave out the walks not over by `now`, with what was heard on them and its follow-ups.

        They are drawn all the same, so what happened before `now` does not depend on the hour of the load.
        """
        late_walks = {walk["id"] for walk in self.walks if walk["ended_at"] > now}
        late = {row["id"] for row in self.observations if row["walk_id"] in late_walks}
        self.walks = [walk for walk in self.walks if walk["id"] not in late_walks]
        self.observations = [row for row in self.observations if row["id"] not in late]
        self.trait_levels = [row for row in self.trait_levels if row["observation_id"] not in late]
        self.follow_ups = [row for row in self.follow_ups if row["observation_id"] not in late]

    def ask_relistens(self) -> None:
        """Two in three follow-ups from formal meetings ask for a re-listen (chosen by id, so no draw from
        the RNG changes the rest of the demo); a done one links the next conversation heard at the same place
        after it, up to its completion, as its evidence."""
        observations = {row["id"]: row for row in self.observations}
        by_place: dict = {}
        for row in sorted(self.observations, key=lambda row: row["observed_at"]):
            by_place.setdefault((row["school_id"], row["location_id"]), []).append(row)
        for follow_up in self.follow_ups:
            source = observations.get(follow_up["observation_id"])
            follow_up["relisten"] = bool(source and source["setting"] == "formal" and follow_up["id"].int % 3 != 0)
            follow_up["evidence_observation_id"] = None
            if not follow_up["relisten"] or follow_up["status"] != FollowUpStatus.DONE:
                continue
            follow_up["evidence_observation_id"] = next(
                (row["id"] for row in by_place[(source["school_id"], source["location_id"])]
                 if source["observed_at"] < row["observed_at"] <= follow_up["completed_at"]), None)


@dataclass
class Heard:
    """One conversation before it becomes a row: where, when (school-local) and in which block."""

    place: PlacePlan
    local: datetime
    block: str


class SemesterWriter:
    """Appends one school's semester to `rows`, drawing everything from one RNG."""

    def __init__(self, rng: random.Random, built: BuiltSchool, rubric_id: int, trait_ids: dict[str, int],
                 rows: SemesterRows, now: datetime):
        self.rng, self.built, self.plan = rng, built, built.plan
        self.rubric_id, self.trait_ids = rubric_id, trait_ids
        self.zone = ZoneInfo(self.plan.timezone)
        self.schedule = DaySchedule(self.plan)
        self.now = now
        self.calendar = Calendar.ending(now.astimezone(self.zone).date())
        self.days = self.calendar.school_days()
        self.rows = rows

    def write(self) -> SemesterRows:
        walkers = [staff.email_local for staff in self.plan.staff if staff.walks]
        for day in self.days:
            for walker in walkers:
                slots = draw_distinct(self.rng, SLOT_PREFERENCE[walker], talk.weighted(self.rng, WALKS_PER_DAY))
                for slot in sorted(slots, key=lambda name: self.schedule.slots[name][0]):
                    self.walk(day, walker, slot)
        return self.rows

    def local(self, day: date, minute: float) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.zone) + timedelta(seconds=round(minute * 60))

    def walk(self, day: date, walker: str, slot: str) -> None:
        rng = self.rng
        window_start, window_end = self.schedule.slots[slot]
        duration = min(rng.randint(10, 40), window_end - window_start)
        start = window_start + rng.random() * (window_end - window_start - duration)
        started, ended = self.local(day, start), self.local(day, start + duration)
        walk_id, observer_id = new_id(rng), self.built.user_ids[walker]
        self.rows.walks.append({
            "id": walk_id, "school_id": self.built.school.id, "observer_id": observer_id,
            "started_at": started.astimezone(timezone.utc), "ended_at": ended.astimezone(timezone.utc),
            "version": 1, "created_at": started.astimezone(timezone.utc), "updated_at": ended.astimezone(timezone.utc),
        })
        heard = self.listen(day, slot, start, (ended - started).total_seconds() / 60)
        for conversation in heard:
            self.observe(conversation, walk_id, observer_id, ended)

    def listen(self, day: date, slot: str, start: float, duration: float) -> list[Heard]:
        """The conversations heard along a route of 2–5 places, at most MAX_PER_WALK, in time order."""
        rng = self.rng
        weights = {place: ROUTE_WEIGHTS[slot][place.kind] for place in self.plan.places}
        route = draw_distinct(rng, weights, rng.randint(2, 5))
        cuts = sorted([0.0, duration] + [rng.random() * duration for _ in route[1:]])
        heard = []
        for place, (arrive_offset, leave_offset) in zip(route, zip(cuts, cuts[1:])):
            arrive, leave = start + arrive_offset, start + leave_offset
            middle = (arrive + leave) / 2
            block = self.schedule.block_at(middle)
            rate = (RATES_PER_HOUR[place.kind][block] * self.schedule.activity_at(middle) * place.busyness
                    * self.boost(day, place, block))
            for _ in range(poisson(rng, rate * (leave - arrive) / 60)):
                minute = arrive + rng.random() * (leave - arrive)
                heard.append(Heard(place, self.local(day, minute), self.schedule.block_at(minute)))
        if len(heard) > MAX_PER_WALK:
            heard = rng.sample(heard, MAX_PER_WALK)
        return sorted(heard, key=lambda conversation: conversation.local)

    def boost(self, day: date, place: PlacePlan, block: str) -> float:
        """Late-start Wednesdays fill the meeting rooms and library before first period."""
        wednesday_plc = self.plan.plc_wednesday_mornings and day.weekday() == 2 and block == BEFORE
        return 3.0 if wednesday_plc and place.kind in (Kind.MEETING_ROOM, Kind.LIBRARY) else 1.0

    def observe(self, heard: Heard, walk_id: uuid.UUID, observer_id: int, walk_ended: datetime) -> None:
        rng = self.rng
        kind = talk.choose_kind(rng, heard.place.kind, heard.block)
        count, roles = talk.choose_people(rng, kind)
        team = talk.choose_team(rng, kind, heard.place.team, self.plan.teams)
        levels = talk.trait_levels(rng, kind, team, improvement(self.plan, heard.local.date() - self.calendar.shift))
        flagged = talk.wants_follow_up(rng, kind, levels)
        observation_id = new_id(rng)
        observed_at = heard.local.astimezone(timezone.utc)
        self.rows.observations.append({
            "id": observation_id, "school_id": self.built.school.id, "observer_id": observer_id,
            "walk_id": walk_id, "rubric_id": self.rubric_id,
            "location_id": self.built.location_ids[heard.place.name], "observed_at": observed_at,
            "utc_offset_minutes": int(heard.local.utcoffset().total_seconds()) // 60,
            "local_date": heard.local.date(), "setting": kind.setting, "conversation_kind": kind,
            "participant_count": count, "participant_roles": roles, "team": team,
            "note": talk.choose_note(rng, kind, levels, flagged), "needs_follow_up": flagged, "version": 1,
            "content_hash": "", "created_at": observed_at, "updated_at": observed_at,
        })
        self.rows.trait_levels.extend(
            {"observation_id": observation_id, "trait_id": self.trait_ids[key], "level": level}
            for key, level in zip(talk.TRAIT_KEYS, levels)
        )
        if flagged:
            self.follow_up(observation_id, observer_id, team, heard.local, walk_ended)

    def follow_up(self, observation_id: uuid.UUID, observer_id: int, team: str | None,
                  heard_at: datetime, walk_ended: datetime) -> None:
        """Due at 3:30 pm school time 2–7 school days later; settled as of the semester's last afternoon
        (or now, if that is earlier): one not finished an hour after it was made by then is still open."""
        rng = self.rng
        due_at = datetime.combine(self.calendar.add_school_days(heard_at.date(), rng.randint(2, 7)), time(15, 30),
                                  tzinfo=self.zone)
        created_at = walk_ended.astimezone(timezone.utc)
        as_of = min(datetime.combine(self.calendar.last_day, time(17, 0), tzinfo=self.zone), self.now)
        status, changed, outcome = settle(rng, due_at, as_of)
        completed = None
        if status != FollowUpStatus.OPEN:
            finished = min(due_at + timedelta(minutes=rng.randint(-48 * 60, 72 * 60)), as_of)
            completed = max(finished.astimezone(timezone.utc), created_at + timedelta(hours=1))
            if completed > as_of:
                status, changed, outcome, completed = FollowUpStatus.OPEN, None, None, None
        owners = [self.built.user_ids[local] for local in ("principal", "ap", "coach", "teamlead")]
        self.rows.follow_ups.append({
            "id": new_id(rng), "school_id": self.built.school.id, "observation_id": observation_id,
            "created_by_id": observer_id, "owner_id": rng.choice(owners),
            "action": talk.follow_up_action(rng, team), "due_at": due_at.astimezone(timezone.utc),
            "status": status, "changed_practice": changed, "outcome_note": outcome, "completed_at": completed,
            "version": 1, "created_at": created_at, "updated_at": completed or created_at,
        })


def settle(rng: random.Random, due_at: datetime, as_of: datetime) -> tuple[FollowUpStatus, bool | None, str | None]:
    """Most follow-ups due well before `as_of` are done (some changed practice), a few dropped, some overdue."""
    odds = rng.random()
    if due_at <= as_of - timedelta(days=3):
        status = FollowUpStatus.DONE if odds < 0.65 else FollowUpStatus.DROPPED if odds < 0.75 else FollowUpStatus.OPEN
    elif due_at <= as_of:
        status = FollowUpStatus.DONE if odds < 0.4 else FollowUpStatus.OPEN
    else:
        status = FollowUpStatus.DONE if odds < 0.2 else FollowUpStatus.OPEN
    if status == FollowUpStatus.DONE:
        changed = rng.random() < 0.6
        return status, changed, rng.choice(talk.OUTCOMES_CHANGED if changed else talk.OUTCOMES_UNCHANGED)
    if status == FollowUpStatus.DROPPED:
        return status, None, talk.OUTCOME_DROPPED
    return status, None, None
