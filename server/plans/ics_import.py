"""Turning a calendar's recurring events into planned conversations: read, preview, then confirm.

Only what a plan can hold is taken: a timed event whose RRULE is weekly (INTERVAL 1 or 2) on
plain weekdays, or monthly on the nth or last weekday, and that ends (UNTIL or COUNT). Times are
moved into the school's zone; EXDATE becomes cancelled days and RDATE added days. Every other
event is listed with the reason it was left out, so the preview says what will and will not come in.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import icalendar
from dateutil import rrule
from marshmallow import ValidationError

from schemas.plans import RecurrenceSchema
from server.enums import PlanFrequency
from server.plans import recurrence
from server.plans.models import PlanSchedule
from server.plans.service import MAX_OCCURRENCES, RefusedPlan
from server.schools.models import School

MAX_EVENTS = 500
DAY_CODES = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
KIND_WORDS = (("plc", "plc"), ("data", "data_team"), ("coach", "coaching_session"), ("debrief", "learning_walk_debrief"),
              ("observation", "post_observation_conference"), ("conference", "post_observation_conference"),
              ("planning", "planning_session"), ("lunch", "lunch"))
IMPORTED_PURPOSE = "Imported from a calendar: say what it is for"


class Skipped(ValueError):
    """An event that cannot become a plan, with the reason shown in the preview."""


def read_calendar(text: str) -> icalendar.Calendar:
    if text.count("BEGIN:VEVENT") > MAX_EVENTS:
        raise RefusedPlan(f"The calendar holds more than {MAX_EVENTS} events: export only the meetings to plan.",
                          "calendar")
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception:  # icalendar raises ValueError, KeyError or IndexError for broken files
        raise RefusedPlan("This is not an iCalendar (.ics) file that can be read.", "calendar") from None
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise RefusedPlan("This is not an iCalendar (.ics) file that can be read.", "calendar")
    return calendar


def guess_kind(summary: str) -> str:
    words = summary.casefold()
    return next((kind for word, kind in KIND_WORDS if word in words), "grade_department_meeting")


def local_days(prop, zone: ZoneInfo) -> list[date]:
    """The days of an EXDATE or RDATE property (one or several lines), in the school's zone."""
    found = []
    for line in prop if isinstance(prop, list) else [prop]:
        for value in line.dts:
            moment = value.dt
            found.append(moment.astimezone(zone).date() if isinstance(moment, datetime) and moment.tzinfo
                         else moment.date() if isinstance(moment, datetime) else moment)
    return found


def rule_fields(event, zone: ZoneInfo) -> dict:
    """The plan recurrence of one VEVENT, or Skipped with the reason."""
    start = event.decoded("dtstart", None)
    if not isinstance(start, datetime):
        raise Skipped("It is an all-day event: a planned conversation has a start and end time.")
    if "dtend" in event:
        end = event.decoded("dtend")
    elif "duration" in event:
        end = start + event.decoded("duration")
    else:
        raise Skipped("It has no end time.")
    if not isinstance(end, datetime):
        raise Skipped("Its end is a day, not a time.")
    start = start.replace(tzinfo=start.tzinfo or zone).astimezone(zone)
    end = end.replace(tzinfo=end.tzinfo or zone).astimezone(zone)
    rule = event.get("rrule")
    if isinstance(rule, list):
        raise Skipped("It has several repeat rules.")
    freq, interval = rule.get("FREQ", [""])[0], int(rule.get("INTERVAL", [1])[0])
    byday = [str(d) for d in rule.get("BYDAY", [])] or [list(DAY_CODES)[start.weekday()]]
    unsupported = set(rule) - {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT", "WKST"}
    if unsupported:
        raise Skipped(f"Its repeat rule uses {', '.join(sorted(unsupported))}, which a plan cannot hold.")
    fields = {"weekdays": [], "week_of_month": None}
    for code in byday:
        match = re.fullmatch(r"([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)", code)
        if not match:
            raise Skipped("Its repeat rule names a weekday a plan cannot hold.")
        week = int(match.group(1)) if match.group(1) else None
        if freq == "MONTHLY" and (week is None or (fields["week_of_month"] not in (None, week))):
            raise Skipped("Monthly, it must repeat on the same nth weekday (e.g. the first Monday).")
        fields["weekdays"].append(DAY_CODES[match.group(2)])
        fields["week_of_month"] = week if freq == "MONTHLY" else None
    if freq == "WEEKLY" and interval in (1, 2) and fields["week_of_month"] is None:
        fields["frequency"] = "weekly" if interval == 1 else "biweekly"
    elif freq == "MONTHLY" and interval == 1:
        fields["frequency"] = "monthly"
    else:
        raise Skipped("Only weekly, every-other-week and monthly-by-weekday repeats can be planned.")
    if "UNTIL" in rule:
        until = rule["UNTIL"][0]
        last_day = until.astimezone(zone).date() if isinstance(until, datetime) and until.tzinfo else (
            until.date() if isinstance(until, datetime) else until)
    elif "COUNT" in rule:
        count = int(rule["COUNT"][0])
        if count > MAX_OCCURRENCES:
            raise Skipped(f"It repeats {count} times; a plan meets at most {MAX_OCCURRENCES} times.")
        expanded = list(rrule.rrulestr(rule.to_ical().decode(), dtstart=start.replace(tzinfo=None)))
        last_day = expanded[-1].date()
    else:
        raise Skipped("It repeats forever: a plan needs a last day (set an end date in the calendar).")
    return {**fields, "starts_at": start.time().replace(second=0, microsecond=0).strftime("%H:%M"),
            "ends_at": end.time().replace(second=0, microsecond=0).strftime("%H:%M"),
            "first_day": start.date().isoformat(), "last_day": last_day.isoformat(),
            "cancelled_dates": sorted({d.isoformat() for d in local_days(event.get("exdate", []), zone)}),
            "added_dates": sorted({d.isoformat() for d in local_days(event.get("rdate", []), zone)})}


def preview(school: School, text: str, places: dict[str, int]) -> tuple[list[dict], list[dict]]:
    """(plans to create, as PlanCreateSchema input; events left out, with why), nothing stored."""
    zone = ZoneInfo(school.timezone)
    plans, skipped = [], []
    for event in read_calendar(text).walk("VEVENT"):
        summary = str(event.get("summary", "")).strip()[:120] or "Untitled meeting"
        if "rrule" not in event:
            skipped.append({"summary": summary, "reason": "It happens once: only repeating meetings become plans."})
            continue
        if "recurrence-id" in event:
            continue  # a moved instance of a series; the series itself carries the rule
        try:
            rule = RecurrenceSchema().load(rule_fields(event, zone))
            count = len(recurrence.term_days(PlanSchedule(frequency=PlanFrequency(rule["frequency"]), **{
                **{k: v for k, v in rule.items() if k != "frequency"},
                "added_dates": [d.isoformat() for d in rule["added_dates"]],
                "cancelled_dates": [d.isoformat() for d in rule["cancelled_dates"]]})))
            if not 0 < count <= MAX_OCCURRENCES:
                raise Skipped(f"It would meet {count} times; a plan meets 1 to {MAX_OCCURRENCES} times.")
        except Skipped as reason:
            skipped.append({"summary": summary, "reason": str(reason)})
            continue
        except ValidationError as error:
            reasons = [m for messages in error.messages.values() for m in (messages if isinstance(messages, list) else [messages])]
            skipped.append({"summary": summary, "reason": " ".join(map(str, reasons))})
            continue
        except Exception:  # noqa: BLE001 — a hostile file may break the parser anywhere: the event is left out
            skipped.append({"summary": summary, "reason": "Its dates or repeat rule cannot be read."})
            continue
        place = places.get(str(event.get("location", "")).strip().casefold())
        description = str(event.get("description", "")).strip().splitlines()
        plans.append({"name": summary, "kind": guess_kind(summary), "location_id": place,
                      "purpose": (description[0][:200] if description else "") or IMPORTED_PURPOSE,
                      "recurrence": rule})
    return plans, skipped


def import_calendar(actor, school: School, text: str, confirm: bool) -> tuple[list[dict], list[dict], bool]:
    """Preview (nothing stored) or create every plan the calendar yields; a calendar with none is refused."""
    from sqlalchemy import select

    from server.db import db
    from server.plans import service
    from server.schools.models import Location

    places = {name.casefold(): place_id for place_id, name in db.session.execute(
        select(Location.id, Location.name).where(Location.school_id == school.id, Location.archived.is_(False))).all()}
    plans, skipped = preview(school, text, places)
    if not plans:
        why = f" ({skipped[0]['summary']}: {skipped[0]['reason']})" if skipped else ""
        raise RefusedPlan(f"Nothing in this calendar can become a plan{why}.", "calendar")
    if not confirm:
        return [preview_row(plan) for plan in plans], skipped, False
    created = [service.create_plan(actor, school, plan) for plan in plans]
    return [service.plan_row(plan) for plan in created], skipped, True


def preview_row(plan: dict) -> dict:
    rule = plan["recurrence"]
    schedule = PlanSchedule(frequency=PlanFrequency(rule["frequency"]), weekdays=rule["weekdays"],
                            week_of_month=rule["week_of_month"])
    return {**plan, "setting": "informal" if plan["kind"] == "lunch" else "formal",
            "recurrence": {**rule, "version": None, "valid_from": None}, "rrule": recurrence.rrule_text(schedule)}
