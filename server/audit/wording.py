"""The audit log in words, with names: "Dana Reyes invited Sam Lee (observer)".

The codes ("auth.login", object "user 2") stay what the database and the API hold; the page and the
export say them as sentences. Every code the app records has a wording here (a test reads the
source for `record(...)` calls and fails on a code without one). Someone erased or deleted is
"a removed user", never a crash.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from server.auth.models import Invitation, User
from server.db import db
from server.schools.models import Location, School

REMOVED_USER = "a removed user"
COMMAND_LINE = "The server's command line"
ERASED_EMAIL_DOMAIN = "@erased.invalid"  # server.privacy.service.ERASED_DOMAIN: erased accounts keep only an id

ROLES = {"district_admin": "district admin", "principal": "principal", "observer": "observer", "viewer": "viewer"}
SETTINGS = {"name": "name", "timezone": "time zone", "min_cell_n": "smallest cell shown",
            "walk_idle_minutes": "walk idle time", "note_retention_days": "note retention"}
PLACE_FIELDS = {"name": "name", "kind": "kind", "archived": "archived"}
PLAN_FIELDS = {"name": "name", "purpose": "purpose", "kind": "kind", "location_id": "place", "participants": "who",
               "participant_count": "how many", "strategy": "strategy", "focus_traits": "focus", "owner_id": "owner",
               "recurrence": "when"}
EXPORT_VIEWS = {"frequency": "frequency heatmap", "quality": "quality heatmap", "trends": "trends",
                "observations": "observations", "district_frequency": "district frequency heatmap",
                "district_quality": "district quality heatmap"}


@dataclass
class Told:
    """One event with its names looked up: who did it, and what it was done to."""

    actor: str
    target: str
    details: dict = field(default_factory=dict)

    def count(self, key: str, one: str, many: str | None = None) -> str:
        value = self.details.get(key)
        if not isinstance(value, int):
            return ""
        return f"{value} {one if value == 1 else (many or one + 's')}"

    def role(self, key: str = "role") -> str:
        value = self.details.get(key)
        return ROLES.get(str(value), str(value).replace("_", " ")) if value else ""


def _listed(names: Iterable, words: dict[str, str]) -> str:
    return ", ".join(words.get(str(name), str(name).replace("_", " ")) for name in names)


def _in_brackets(text: str) -> str:
    return f" ({text})" if text else ""


def _exported(t: Told) -> str:
    view = str(t.details.get("view") or t.target)
    what = EXPORT_VIEWS.get(view, view.replace("_", " "))
    extra = ", ".join(part for part in (t.count("rows", "row"), "with notes" if t.details.get("notes") else "") if part)
    return f"{t.actor} downloaded the {what} as CSV{_in_brackets(extra)}"


def _ended(t: Told) -> str:
    sessions = t.count("sessions", "session")
    return f"{sessions} ended" if sessions else ""


def _named(kind: str, name: str, unnamed: str) -> str:
    """ "the place “Main hallway”", or "a place since deleted" when its name is no longer known."""
    return f"{kind} \u201c{name}\u201d" if name else f"{unnamed} since deleted"


def _place(t: Told) -> str:
    return _named("the place", t.details.get("name") or t.target, "a place")


def _plan(t: Told) -> str:
    return _named("the planned conversation", t.details.get("name") or "", "a planned conversation")


def _plan_changed(t: Told) -> str:
    fields = _in_brackets(_listed(t.details.get("fields") or [], PLAN_FIELDS))
    return f"{t.actor} changed {_plan(t)}{fields}{'; meetings already held keep their times' if t.details.get('split') else ''}"


def _brief(t: Told) -> str:
    """ "Dana Reyes made the staff meeting brief of Lincoln Middle School for 2026-11-16 to 2026-11-29 (PDF, A4)"."""
    d = t.details
    version = {"leadership": "leadership ", "staff": "staff "}.get(str(d.get("version")), "")
    place = f" of {t.target}" if t.target and not t.target.isdigit() and t.target != REMOVED_USER else ""
    period = f" for {d['start']} to {d['end']}" if d.get("start") and d.get("end") else ""
    form = {"html": "page", "pdf": "PDF", "json": "figures"}.get(str(d.get("format")), "")
    paper = {"a4": "A4", "letter": "US Letter"}.get(str(d.get("paper")), "")
    extra = ", ".join(part for part in (form, paper) if part)
    return f"{t.actor} made the {version}meeting brief{place}{period}{_in_brackets(extra)}"


def _failed_sign_in(t: Told) -> str:
    domain = t.details.get("email_domain")
    return f"A sign-in failed (an address at {domain})" if domain else "A sign-in failed"


# code → (label for the filter, sentence). A sentence begins with the actor unless it has none.
WORDING: dict[str, tuple[str, Callable[[Told], str]]] = {
    "auth.login": ("Signed in", lambda t: f"{t.actor} signed in"),
    "auth.login_failed": ("Failed sign-in", _failed_sign_in),
    "auth.logout": ("Signed out", lambda t: f"{t.actor} signed out"),
    "auth.password_changed": ("Password changed", lambda t: f"{t.actor} changed their password"),
    "auth.sessions_revoked": ("Signed out on every device",
                              lambda t: f"{t.actor} signed out on every device{_in_brackets(_ended(t))}"),
    "auth.invitation_accepted": ("Invitation accepted",
                                 lambda t: f"{t.actor} accepted an invitation and joined{' as ' + t.role() if t.role() else ''}"),
    "brief.generated": ("Meeting brief made", _brief),
    "export.school": ("Whole-school export", lambda t: f"{t.actor} downloaded the whole-school export"),
    "export.csv": ("CSV download", _exported),
    "push.subscribed": ("Reminders turned on", lambda t: f"{t.actor} turned on reminders on a phone"),
    "push.unsubscribed": ("Reminders turned off", lambda t: f"{t.actor} turned off reminders on a phone"),
    "push.weekly_nudge_changed": ("Weekly nudge changed",
                                  lambda t: f"{t.actor} turned the weekly nudge {'on' if t.details.get('enabled') else 'off'}"),
    "school.created": ("School created", lambda t: f"{t.actor} created {_named('the school', t.target, 'a school')}"),
    "school.settings_changed": ("Settings changed",
                                lambda t: f"{t.actor} changed the school's settings{_in_brackets(_listed(t.details.get('fields') or [], SETTINGS))}"),
    "school.bell_schedule_changed": ("Bell schedule changed",
                                     lambda t: f"{t.actor} changed the bell schedule{_in_brackets(t.count('periods', 'period'))}"),
    "school.deleted": ("School deleted",
                       lambda t: f"{t.actor} deleted {_named('the school', t.details.get('name') or t.target, 'a school')}"),
    "location.created": ("Place added", lambda t: f"{t.actor} added {_place(t)}"),
    "location.changed": ("Place changed",
                         lambda t: f"{t.actor} changed {_place(t)}{_in_brackets(_listed(t.details.get('fields') or [], PLACE_FIELDS))}"),
    "location.archived": ("Place archived", lambda t: f"{t.actor} archived {_place(t)}"),
    "location.deleted": ("Place deleted", lambda t: f"{t.actor} deleted {_place(t)}"),
    "membership.role_changed": ("Role changed",
                                lambda t: f"{t.actor} changed the role of {t.target} from {t.role('from')} to {t.role('to')}"),
    "membership.removed": ("Removed from the school",
                           lambda t: f"{t.actor} removed {t.target}{_in_brackets(t.role())} from the school"),
    "invitation.created": ("Invitation sent", lambda t: f"{t.actor} invited {t.target}{_in_brackets(t.role())}"),
    "invitation.revoked": ("Invitation withdrawn",
                           lambda t: f"{t.actor} withdrew the invitation to {t.target}{_in_brackets(t.role())}"),
    "plan.created": ("Conversation planned",
                     lambda t: f"{t.actor} planned {_named('the conversation', t.details.get('name') or '', 'a conversation')}"),
    "plan.changed": ("Plan changed", _plan_changed),
    "plan.deleted": ("Plan deleted", lambda t: f"{t.actor} deleted {_plan(t)}"),
    "plan_feed.renewed": ("Calendar link made", lambda t: f"{t.actor} made a new calendar link for the plans"),
    "plan_feed.revoked": ("Calendar link turned off", lambda t: f"{t.actor} turned off the plans' calendar link"),
    "retention.purged": ("Old notes erased",
                         lambda t: f"Notes older than {t.details.get('older_than_days', '?')} days were erased"
                                   f"{_in_brackets(t.count('notes_erased', 'note'))}"),
    "user.erased": ("Personal details erased", lambda t: f"{t.actor} erased the personal details of {t.target}"),
}


def label(action: str) -> str:
    """The filter's words for a code; an unknown code is said as its words ("test.walk_written" → "Test: walk written")."""
    known = WORDING.get(action)
    if known:
        return known[0]
    family, _, rest = action.partition(".")
    return f"{family.replace('_', ' ').capitalize()}: {rest.replace('_', ' ')}" if rest else family.replace("_", " ")


class Names:
    """Names of the people, invitations, places and schools a batch of events points at, read at once."""

    def __init__(self, events: list[dict]):
        user_ids, invitation_ids, place_ids, school_ids = set(), set(), set(), set()
        for event in events:
            user_ids.add(event.get("actor_id"))
            target = _int(event.get("object_id"))
            kind = event.get("object_type")
            if kind == "user":
                user_ids.add(target)
            elif kind == "membership":
                user_ids.add(_int((event.get("details") or {}).get("user_id")))
            elif kind == "invitation":
                invitation_ids.add(target)
            elif kind == "location":
                place_ids.add(target)
            elif kind == "school":
                school_ids.add(target)
        self.users = {uid: name for uid, name, email in db.session.execute(
            select(User.id, User.name, User.email).where(User.id.in_(user_ids - {None})))
            if not (email or "").endswith(ERASED_EMAIL_DOMAIN)}
        self.invitations = {iid: name or email for iid, name, email in db.session.execute(
            select(Invitation.id, Invitation.name, Invitation.email).where(Invitation.id.in_(invitation_ids - {None})))}
        self.places = dict(db.session.execute(select(Location.id, Location.name).where(Location.id.in_(place_ids - {None}))).all())
        self.schools = dict(db.session.execute(select(School.id, School.name).where(School.id.in_(school_ids - {None}))).all())

    def person(self, user_id) -> str:
        return self.users.get(_int(user_id)) or REMOVED_USER

    def actor(self, event: dict) -> str:
        if event.get("actor_id") is None:
            # No request, no address: the hallpulse command. With an address: someone since deleted.
            return COMMAND_LINE if not event.get("ip") else REMOVED_USER.capitalize()
        name = self.person(event["actor_id"])
        return name[0].upper() + name[1:] if name == REMOVED_USER else name

    def target(self, event: dict) -> str:
        kind, target = event.get("object_type"), _int(event.get("object_id"))
        if kind == "user":
            return self.person(target)
        if kind == "membership":
            return self.person((event.get("details") or {}).get("user_id"))
        if kind == "invitation":
            return self.invitations.get(target) or "someone"
        if kind == "location":
            return self.places.get(target) or ""
        if kind == "school":
            return self.schools.get(target) or ""
        return str(event.get("object_id") or "")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def describe(events: list[dict], names: Names | None = None) -> list[str]:
    """A sentence for each event (dicts with action, actor_id, object_type, object_id, ip, details)."""
    names = names or Names(events)
    sentences = []
    for event in events:
        told = Told(names.actor(event), names.target(event), event.get("details") or {})
        known = WORDING.get(event["action"])
        sentences.append(known[1](told) if known else f"{told.actor}: {label(event['action']).lower()}")
    return sentences
