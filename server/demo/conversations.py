"""What one overheard demo conversation is like: its kind, people, team, trait levels and note.

Trait model: for each trait, P(heard) = sigmoid(logit(base[kind][trait]) + depth + improvement·gain[trait]
+ links), where `depth` ~ N(0, 0.7) is shared by the practice traits of one conversation (good talk
has several traits at once), `improvement` runs 0 → 1 over the semester in a school that improves,
and the links make Action likelier after Evidence or Questions and Non-defensive rare without
Evidence. A heard trait is strong (2) with about 35% odds in formal settings and 15% informally.
"""
from __future__ import annotations

import math
import random

from server.demo.people_places import AFTER, BEFORE, LUNCH
from server.enums import ConversationKind as Talk
from server.enums import LocationKind as Kind
from server.enums import ParticipantRole as Who
from server.enums import Setting

TRAIT_KEYS = ("substantive", "evidence", "questions", "non_defensive", "people", "professional_knowledge", "action")

# P(heard) per trait, in TRAIT_KEYS order, before depth, improvement and links.
BASE_RATES: dict[Talk, tuple[float, ...]] = {
    Talk.HALLWAY_CHAT: (0.32, 0.07, 0.09, 0.04, 0.55, 0.03, 0.08),
    Talk.LOUNGE: (0.28, 0.06, 0.08, 0.04, 0.65, 0.04, 0.06),
    Talk.LUNCH: (0.22, 0.05, 0.06, 0.03, 0.70, 0.03, 0.05),
    Talk.BEFORE_AFTER_SCHOOL: (0.38, 0.10, 0.11, 0.05, 0.45, 0.05, 0.12),
    Talk.PARKING_LOT: (0.18, 0.04, 0.05, 0.03, 0.60, 0.02, 0.05),
    Talk.PLC: (0.85, 0.55, 0.45, 0.20, 0.30, 0.18, 0.42),
    Talk.DATA_TEAM: (0.85, 0.72, 0.50, 0.24, 0.20, 0.16, 0.48),
    Talk.GRADE_DEPARTMENT_MEETING: (0.58, 0.28, 0.24, 0.10, 0.38, 0.10, 0.28),
    Talk.POST_OBSERVATION_CONFERENCE: (0.85, 0.45, 0.45, 0.22, 0.25, 0.24, 0.48),
    Talk.LEARNING_WALK_DEBRIEF: (0.80, 0.42, 0.44, 0.16, 0.20, 0.22, 0.38),
    Talk.COACHING_SESSION: (0.85, 0.38, 0.50, 0.20, 0.30, 0.30, 0.48),
    Talk.PLANNING_SESSION: (0.80, 0.28, 0.28, 0.08, 0.30, 0.18, 0.42),
}
# How far (in log-odds) each trait moves when a school improves fully; People does not move.
IMPROVEMENT_GAIN = (0.5, 1.1, 1.0, 0.8, 0.0, 0.9, 1.2)
TEAM_EFFECT = {"Math": {"evidence": 0.3}, "Special education": {"non_defensive": 0.4, "people": 0.2},
               "Science": {"questions": 0.2}, "Electives": {"evidence": -0.3}, "Fine arts": {"evidence": -0.3}}

# Which kinds of talk happen at a kind of place, by block of the day (None: any other time).
KINDS_BY_PLACE: dict[Kind, dict[str | None, tuple[tuple[Talk, float], ...]]] = {
    Kind.HALLWAY: {BEFORE: ((Talk.BEFORE_AFTER_SCHOOL, 0.7), (Talk.HALLWAY_CHAT, 0.3)),
                   AFTER: ((Talk.BEFORE_AFTER_SCHOOL, 0.7), (Talk.HALLWAY_CHAT, 0.3)),
                   None: ((Talk.HALLWAY_CHAT, 1.0),)},
    Kind.LOUNGE: {LUNCH: ((Talk.LUNCH, 0.7), (Talk.LOUNGE, 0.3)), None: ((Talk.LOUNGE, 1.0),)},
    Kind.CAFETERIA: {LUNCH: ((Talk.LUNCH, 1.0),), BEFORE: ((Talk.BEFORE_AFTER_SCHOOL, 1.0),),
                     AFTER: ((Talk.BEFORE_AFTER_SCHOOL, 1.0),), None: ((Talk.HALLWAY_CHAT, 1.0),)},
    Kind.OUTDOORS: {None: ((Talk.PARKING_LOT, 1.0),)},
    Kind.MEETING_ROOM: {None: ((Talk.PLC, 0.35), (Talk.DATA_TEAM, 0.15), (Talk.GRADE_DEPARTMENT_MEETING, 0.2),
                               (Talk.PLANNING_SESSION, 0.2), (Talk.LEARNING_WALK_DEBRIEF, 0.1))},
    Kind.LIBRARY: {None: ((Talk.PLANNING_SESSION, 0.4), (Talk.PLC, 0.3), (Talk.DATA_TEAM, 0.2),
                          (Talk.GRADE_DEPARTMENT_MEETING, 0.1))},
    Kind.OFFICE: {None: ((Talk.COACHING_SESSION, 0.4), (Talk.POST_OBSERVATION_CONFERENCE, 0.35),
                         (Talk.LEARNING_WALK_DEBRIEF, 0.25))},
    Kind.CLASSROOM: {None: ((Talk.PLANNING_SESSION, 0.4), (Talk.COACHING_SESSION, 0.35),
                            (Talk.POST_OBSERVATION_CONFERENCE, 0.25))},
}

# (smallest, largest) number of people, and the chance each non-teacher role is present.
PEOPLE: dict[Talk, tuple[int, int, dict[Who, float]]] = {
    Talk.COACHING_SESSION: (2, 3, {Who.COACH: 1.0}),
    Talk.POST_OBSERVATION_CONFERENCE: (2, 2, {Who.ADMINISTRATOR: 1.0}),
    Talk.LEARNING_WALK_DEBRIEF: (3, 6, {Who.ADMINISTRATOR: 1.0, Who.COACH: 0.7}),
    Talk.PLC: (3, 8, {Who.COACH: 0.3, Who.SPECIALIST: 0.3}),
    Talk.DATA_TEAM: (4, 8, {Who.ADMINISTRATOR: 0.6, Who.COACH: 0.5, Who.SPECIALIST: 0.4}),
    Talk.GRADE_DEPARTMENT_MEETING: (4, 8, {Who.ADMINISTRATOR: 0.3, Who.SPECIALIST: 0.3}),
    Talk.PLANNING_SESSION: (2, 4, {Who.SPECIALIST: 0.3}),
}
INFORMAL_PEOPLE = (2, 4, {Who.SUPPORT_STAFF: 0.2, Who.SPECIALIST: 0.1, Who.COACH: 0.05,
                          Who.ADMINISTRATOR: 0.05, Who.OTHER: 0.05})

# Notes with the traits they imply: one is only written where all of those were heard; a note that
# implies none fits talk that was not substantive.
FORMAL_NOTES = (
    ("Looked at exit tickets on fractions; agreed to reteach Tuesday", ("substantive", "evidence", "action")),
    ("Sorted writing samples by rubric row; small groups planned for claims", ("substantive", "evidence", "action")),
    ("Compared unit quiz results across sections; one section will reteach ratios",
     ("substantive", "evidence", "action")),
    ("Reading check-in data: a third of the grade below benchmark; intervention groups set",
     ("substantive", "evidence", "action")),
    ("Quarterly assessment: vocabulary items weakest across the grade", ("substantive", "evidence")),
    ("Asked why lab write-ups were thin; will model one together next week", ("substantive", "questions", "action")),
    ("Owned that the last unit moved too fast; adding a mid-unit check", ("substantive", "non_defensive")),
    ("Discussed a research brief on retrieval practice; trying weekly low-stakes quizzes",
     ("substantive", "professional_knowledge")),
    ("Coach modelled a cold-call routine; teacher will try it in period 3", ("substantive", "action")),
    ("Agreed to bring student work from the same task to the next meeting", ("substantive", "action")),
    ("Planned the next common assessment backwards from the standards", ("substantive",)),
    ("Debrief: objectives posted in most rooms, few checks for understanding", ("substantive",)),
    ("Post-observation talk about wait time", ("substantive",)),
    ("Mostly scheduling and field-trip logistics", ()),
    ("Calendar and testing-window logistics; no talk about student work", ()),
)
INFORMAL_NOTES = (
    ("Asked how a group did on yesterday's quiz", ("substantive", "evidence")),
    ("Comparing notes on which students need a retake", ("substantive", "evidence")),
    ("Shared a graphing idea from a conference session", ("substantive", "professional_knowledge")),
    ("Planning to observe each other's openers next week", ("substantive", "action")),
    ("Quick exchange about a warm-up that worked well", ("substantive",)),
    ("Two teachers swapping ideas for a reading check-in routine", ("substantive",)),
    ("Mentor checking in with a first-year teacher on routines", ("substantive",)),
    ("Weekend plans and a half-marathon; friendly, no instruction talk", ()),
    ("Logistics: buses and permission slips", ()),
    ("Venting about the copier", ()),
)
NOTE_SHARE = 0.15


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def weighted(rng: random.Random, options) -> object:
    """One choice from (value, weight) pairs."""
    values, weights = zip(*options)
    return rng.choices(values, weights)[0]


def choose_kind(rng: random.Random, place_kind: Kind, block: str) -> Talk:
    by_block = KINDS_BY_PLACE[place_kind]
    return weighted(rng, by_block.get(block) or by_block[None])


def choose_people(rng: random.Random, kind: Talk) -> tuple[int, list[str]]:
    """How many took part and which roles were present (always some teachers)."""
    low, high, extra = PEOPLE.get(kind, INFORMAL_PEOPLE)
    sizes = range(low, high + 1)
    weights = [1] * len(sizes) if kind.setting == Setting.FORMAL else [6, 3, 1][: len(sizes)]
    count = rng.choices(sizes, weights)[0]
    present = [role for role in Who if rng.random() < extra.get(role, 0.0)]
    roles = [Who.TEACHER.value] + [role.value for role in present]
    return count, roles[:count]


def choose_team(rng: random.Random, kind: Talk, place_team: str | None, teams: tuple[str, ...]) -> str | None:
    """Formal meetings always belong to a team; half the informal talk can be placed with one."""
    if kind.setting == Setting.INFORMAL and rng.random() < 0.5:
        return None
    if place_team and rng.random() < 0.6:
        return place_team
    return rng.choice(teams)


def trait_levels(rng: random.Random, kind: Talk, team: str | None, improvement: float) -> list[int]:
    """Levels (0 not heard, 1 heard, 2 strong) for the seven traits, in TRAIT_KEYS order."""
    formal = kind.setting == Setting.FORMAL
    depth = rng.gauss(0.0, 0.7)
    team_effect = TEAM_EFFECT.get(team or "", {})
    levels: list[int] = []
    for index, key in enumerate(TRAIT_KEYS):
        score = logit(BASE_RATES[kind][index]) + improvement * IMPROVEMENT_GAIN[index] + team_effect.get(key, 0.0)
        if key != "people":
            score += depth
        if key == "non_defensive" and levels[1] == 0:
            score -= 1.0
        if key == "action":
            score += 0.6 * (levels[1] > 0) + 0.4 * (levels[2] > 0)
        if rng.random() >= sigmoid(score):
            levels.append(0)
            continue
        strong = logit(0.35 if formal else 0.15) + 0.5 * depth + 0.6 * improvement * (key != "people")
        levels.append(2 if rng.random() < sigmoid(strong) else 1)
    return levels


def choose_note(rng: random.Random, kind: Talk, levels: list[int], flagged: bool) -> str | None:
    """A short note on about one conversation in seven, and always when a follow-up is wanted."""
    if not flagged and rng.random() >= NOTE_SHARE:
        return None
    heard = {key for key, level in zip(TRAIT_KEYS, levels) if level}
    notes = FORMAL_NOTES if kind.setting == Setting.FORMAL else INFORMAL_NOTES
    return rng.choice([text for text, implied in notes
                       if (set(implied) <= heard if implied else "substantive" not in heard)])


def wants_follow_up(rng: random.Random, kind: Talk, levels: list[int]) -> bool:
    """Rare: mostly formal talk that reached evidence or a decision worth checking on later."""
    if kind.setting == Setting.FORMAL:
        return (levels[1] > 0 or levels[6] > 0) and rng.random() < 0.03
    return rng.random() < 0.002


FOLLOW_UP_ACTIONS = (
    "Ask {team} what they decided about reteaching after the quiz",
    "Bring {team}'s exit-ticket data to next week's leadership meeting",
    "Check in with {team} on the small-group plan",
    "Share a short reading on checks for understanding with {team}",
    "Visit {team}'s classes to look for the agreed change",
    "Set up a coaching cycle on questioning with {team}",
    "Ask {team} to bring student work from the common task to PLC",
)
OUTCOMES_CHANGED = (
    "Saw the new warm-up in most classes; exit tickets improved",
    "The team now brings student work to every PLC",
    "Reteach happened; retake scores went up",
    "Small groups now run three days a week",
)
OUTCOMES_UNCHANGED = (
    "Talked it through, but no change seen in classes yet",
    "Postponed by testing week; revisit in January",
    "Team agreed, but the plan stalled without common planning time",
)
OUTCOME_DROPPED = "Overtaken by the new unit plan"


def follow_up_action(rng: random.Random, team: str | None) -> str:
    name = (team or "grade-level").removesuffix(" team")
    return rng.choice(FOLLOW_UP_ACTIONS).format(team=f"the {name} team")
