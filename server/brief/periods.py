"""Which days a brief covers, and the audit record that makes "since the last brief" possible.

Every brief generated (page, PDF or JSON) is an audit event `brief.generated` with its period, version
and format, so the audit log is both the record the issue asks for and the memory of the last brief:
no table of its own. Left out, a brief runs from the day after the last earlier brief's period to
today (at least a week); with no earlier brief, or one that already reached today, it covers the last two weeks.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from server.audit.models import AuditEvent
from server.audit.service import record
from server.db import db, utcnow

ACTION = "brief.generated"
DEFAULT_DAYS = 14
SHORTEST_DEFAULT = 7   # a brief made a day or two ago does not shrink the next one to a day or two
LONGEST_DEFAULT = 366  # "since the last brief" a year and more ago is a year


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    reason: str  # in words, for the page: why these days

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> tuple[date, date]:
        """The same number of days just before, to say what changed."""
        return self.start - timedelta(days=self.days), self.start - timedelta(days=1)


def local_today(timezone: str, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(timezone)).date()


def last_brief_end(*, school_id: int | None = None, district_id: int | None = None, before: date) -> date | None:
    """The end of the latest brief of this school (or district brief) whose period ended before `before`."""
    where = [AuditEvent.action == ACTION]
    where.append(AuditEvent.school_id == school_id if school_id is not None
                 else (AuditEvent.district_id == district_id) & AuditEvent.school_id.is_(None))
    ends = db.session.scalars(select(AuditEvent.details).where(*where).order_by(AuditEvent.id.desc()).limit(50))
    found = []
    for details in ends:
        try:
            end = date.fromisoformat(str((details or {}).get("end")))
        except ValueError:
            continue
        if end < before:
            found.append(end)
    return max(found) if found else None


def choose(args: dict, today: date, *, school_id: int | None = None, district_id: int | None = None) -> Period:
    """The period asked for, or the default one (with why)."""
    start, end = args.get("start"), args.get("end")
    if start and end:
        return Period(start, end, "the period chosen")
    if start:
        return Period(start, max(start, today), "from the day chosen to today")
    end = end or today
    if args.get("end"):
        return Period(end - timedelta(days=DEFAULT_DAYS - 1), end, "the two weeks up to the day chosen")
    last = last_brief_end(school_id=school_id, district_id=district_id, before=end)
    if last is not None:
        start = max(last + timedelta(days=1), end - timedelta(days=LONGEST_DEFAULT - 1))
        if (end - start).days + 1 < SHORTEST_DEFAULT:
            return Period(end - timedelta(days=SHORTEST_DEFAULT - 1), end,
                          f"the last week: the last brief, up to {last:%-d %B %Y}, was less than a week before")
        return Period(start, end, f"since the last brief, which covered up to {last:%-d %B %Y}")
    return Period(end - timedelta(days=DEFAULT_DAYS - 1), end, "the last two weeks (no earlier brief)")


def record_brief(user_id: int, period: Period, version: str, fmt: str, paper: str | None = None, *,
                 school_id: int | None = None, district_id: int | None = None) -> None:
    """Who generated which brief: school or district, period, version, format (and paper for a PDF)."""
    details = {"start": period.start.isoformat(), "end": period.end.isoformat(), "version": version, "format": fmt}
    if paper:
        details["paper"] = paper
    record("brief.generated", actor_id=user_id, school_id=school_id, district_id=district_id,
           object_type="school" if school_id is not None else "district",
           object_id=school_id if school_id is not None else district_id, details=details)
