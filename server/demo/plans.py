"""The demo schools' planned conversations: the PLCs, data teams, debriefs and coaching their strategies depend on.

The dates below are the fall-2026 template's (17 August to 18 December); the demo moves them by the
semester calendar's shift (whole weeks, so weekdays stay), as it does the conversations. Meetings on
days without school (Labor Day, the PD day, Thanksgiving week) are cancelled, and the data team
makes up the PD day's meeting the next day.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from server.db import db
from server.demo.people_places import BuiltSchool
from server.demo.semester import Calendar
from server.enums import ConversationKind as Kind
from server.enums import PlanFrequency as Every
from server.plans.models import PlannedConversation, PlanSchedule

TERM = (date(2026, 8, 17), date(2026, 12, 18))
COMMON_ASSESSMENTS = "Common formative assessments"
SEE_SHORTFALL = "Using data to see where practice falls short"
WHY_DATA_TEAMS = "Why data-team work does or does not change practice"
STRONG_INSTRUCTION = "A shared picture of strong instruction"
STUDENT_NEEDS = "Practices for particular students' needs"
REFLECT = "Reflecting on what worked"

# name, kind, purpose, strategy, place, who, how many, focus, owner, (frequency, weekdays, week), start, end, cancelled, added
PLANS = {
    "lincoln": (
        ("Grade 6 PLC", Kind.PLC, SEE_SHORTFALL, COMMON_ASSESSMENTS, "Room 112 (PLC room)", "Grade 6 teachers and the coach",
         7, ["evidence", "questions", "action"], "coach", (Every.WEEKLY, [1], None), "08:40", "09:35", ["2026-11-24"], []),
        ("Grade 7 PLC", Kind.PLC, SEE_SHORTFALL, COMMON_ASSESSMENTS, "Room 112 (PLC room)", "Grade 7 teachers and the coach",
         6, ["evidence", "questions", "action"], "coach", (Every.WEEKLY, [2], None), "09:35", "10:30", ["2026-11-25"], []),
        ("Grade 8 PLC", Kind.PLC, SEE_SHORTFALL, COMMON_ASSESSMENTS, "Room 112 (PLC room)", "Grade 8 teachers",
         6, ["evidence", "action"], "ap", (Every.WEEKLY, [3], None), "13:20", "14:15", ["2026-11-26"], []),
        ("Data team", Kind.DATA_TEAM, WHY_DATA_TEAMS, COMMON_ASSESSMENTS, "Conference room",
         "Principal, assistant principal, coach and grade-level leads", 6, ["evidence", "non_defensive", "action"],
         "principal", (Every.BIWEEKLY, [0], None), "15:20", "16:20", ["2026-10-12", "2026-11-23"], ["2026-10-13"]),
        ("Learning-walk debrief", Kind.LEARNING_WALK_DEBRIEF, STRONG_INSTRUCTION, "Learning walks", "Coach's office",
         "Principal, assistant principal and coach", 3, ["substantive", "professional_knowledge"], "principal",
         (Every.MONTHLY, [4], 1), "14:15", "15:00", [], []),
        ("Coaching: first-year teachers", Kind.COACHING_SESSION, STUDENT_NEEDS, "New-teacher induction", "Coach's office",
         "Coach and first-year teachers", 4, ["people", "questions"], "coach", (Every.WEEKLY, [3], None),
         "15:15", "15:45", ["2026-11-26"], []),
    ),
    "riverside": (
        ("Math PLC (late start)", Kind.PLC, SEE_SHORTFALL, "Algebra 1 readiness", "Room 118 (PLC room)",
         "Math department", 8, ["evidence", "questions"], "coach", (Every.WEEKLY, [2], None), "07:00", "07:50",
         ["2026-11-25"], []),
        ("English PLC (late start)", Kind.PLC, STRONG_INSTRUCTION, "Writing across subjects", "Room 231",
         "English department", 7, ["substantive", "professional_knowledge"], "ap", (Every.WEEKLY, [2], None),
         "07:00", "07:50", ["2026-11-25"], []),
        ("Grade 9 team data meeting", Kind.DATA_TEAM, SEE_SHORTFALL, "On track in ninth grade", "Library and media center",
         "Grade 9 team and counselor", 9, ["evidence", "non_defensive", "action"], "principal",
         (Every.BIWEEKLY, [3], None), "14:30", "15:30", ["2026-11-26"], []),
        ("Post-observation conferences", Kind.POST_OBSERVATION_CONFERENCE, REFLECT, "Instructional rounds",
         "Instructional coach's office", "Assistant principal and the teachers observed that week", 2,
         ["questions", "non_defensive"], "ap", (Every.WEEKLY, [1], None), "14:30", "15:00", ["2026-11-24"], []),
        ("Learning-walk debrief", Kind.LEARNING_WALK_DEBRIEF, STRONG_INSTRUCTION, "Instructional rounds", "Main office",
         "Principal, assistant principal and coach", 3, ["substantive", "action"], "principal",
         (Every.MONTHLY, [4], -1), "13:30", "14:25", ["2026-11-27"], []),
    ),
}


def clock(text: str) -> time:
    return time.fromisoformat(text)


def moved(days: list[str], shift: timedelta) -> list[str]:
    return [(date.fromisoformat(day) + shift).isoformat() for day in days]


def create_plans(school: BuiltSchool, calendar: Calendar, set_up_at: datetime) -> list[PlannedConversation]:
    plans = []
    shift = calendar.shift
    for (name, kind, purpose, strategy, place, who, count, focus, owner, (frequency, weekdays, week), starts, ends,
         cancelled, added) in PLANS[school.plan.key]:
        plans.append(PlannedConversation(
            school_id=school.school.id, name=name, kind=kind, purpose=purpose, strategy=strategy,
            location_id=school.location_ids[place], participants=who, participant_count=count, focus_traits=focus,
            owner_id=school.user_ids[owner], created_at=set_up_at, updated_at=set_up_at,
            schedules=[PlanSchedule(version=1, frequency=frequency, weekdays=weekdays, week_of_month=week,
                                    starts_at=clock(starts), ends_at=clock(ends), first_day=TERM[0] + shift,
                                    last_day=TERM[1] + shift, cancelled_dates=moved(cancelled, shift),
                                    added_dates=moved(added, shift))]))
    db.session.add_all(plans)
    return plans
