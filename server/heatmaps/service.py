"""The heatmaps a leadership team reads: frequency, quality, trends, and the district's schools side by side.

Each view reads the rollup when it can answer exactly (the filters and the chosen columns stay
within one facet, the school's rollup exists, its bell schedule is current) and the raw tables
otherwise, then shapes the tallies into a Heatmap. Access is checked here, below the views.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from flask import abort
from sqlalchemy import or_, select

from server.access import Action, can, require_school, school_roles
from server.auth.models import User
from server.db import db
from server.enums import ConversationKind, Role, Setting
from server.heatmaps import digest, queries, rates, rollup
from server.heatmaps.cells import Axis, Heatmap, colour, rate_cell, share_cell
from server.heatmaps.exposure import UNPLACED, Schedule
from server.heatmaps.queries import CONVERSATIONS, Filters, week_of
from server.rubrics.models import Rubric, Trait
from server.schools.models import District, Location, School
from server.walks.models import Walk

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
KIND_LABELS = {
    "hallway": "Hallways", "lounge": "Staff lounge", "meeting_room": "Meeting rooms", "office": "Offices",
    "library": "Library", "cafeteria": "Cafeteria", "classroom": "Classrooms", "outdoors": "Outdoors",
}
TALK_LABELS = {
    "hallway_chat": "Hallway chat", "lounge": "Lounge", "lunch": "Lunch", "before_after_school": "Before/after school",
    "parking_lot": "Parking lot", "plc": "PLC", "data_team": "Data team", "grade_department_meeting": "Grade/department meeting",
    "post_observation_conference": "Post-observation conference", "learning_walk_debrief": "Learning-walk debrief",
    "coaching_session": "Coaching session", "planning_session": "Planning session",
}
SETTING_LABELS = {"informal": "Informal", "formal": "Formal", "": "Setting not recorded"}
BY_LABELS = {"place": "Place", "place_kind": "Kind of place", "setting": "Setting", "kind": "Kind of conversation",
             "team": "Team or grade", "planned": "Planned or not", "week": "Week"}
BY_FACET = {"place": "place", "place_kind": "place", "setting": "talk", "kind": "talk", "team": "team", "planned": "planned", "week": None}
ALL = "all"
PLANNED_LABELS = {"planned": "At a planned conversation", "unplanned": "Not planned"}


@dataclass
class SchoolView:
    """What every school page needs besides its heatmap: the school, its rubric and its filter choices."""

    school: School
    schedule: Schedule
    rubric: Rubric
    traits: list[Trait]
    filters: Filters
    min_n: int
    min_hours: float = rates.DEFAULT_MIN_HOURS


def open_school(user: User, school_id: int, args: dict) -> SchoolView:
    """The school and the filters, checked: 404 out of reach, 403 for the observer filter without the right."""
    school = require_school(Action.VIEW_AGGREGATES, school_id, user)
    if args.get("observer_id") is not None and not sees_observers(user, school.id):
        abort(403, description="Only principals and district admins can look at one observer's walks.")
    rubric = pick_rubric(args.get("rubric_id"), school.district_id)
    filters = make_filters(args, (school.id,), rubric.id)
    return SchoolView(school, rollup.schedule_for(school.id, school.timezone), rubric, list(rubric.traits), filters, school.min_cell_n,
                      school.min_listening_hours)


def sees_observers(user: User, school_id: int) -> bool:
    return school_roles(user).get(school_id) in (Role.PRINCIPAL, Role.DISTRICT_ADMIN)


def make_filters(args: dict, school_ids: tuple[int, ...], rubric_id: int) -> Filters:
    if args.get("date_from") and args.get("date_to") and args["date_from"] > args["date_to"]:
        abort(422, description="The start date is after the end date.")
    return Filters(date_from=args.get("date_from"), date_to=args.get("date_to"), setting=args.get("setting"),
                   conversation_kind=args.get("conversation_kind"), team=args.get("team"),
                   observer_id=args.get("observer_id"), rubric_id=rubric_id, school_ids=school_ids,
                   planned={"planned": True, "unplanned": False}.get(args.get("planned")))


def pick_rubric(rubric_id: int | None, district_id: int) -> Rubric:
    """The chosen rubric if the district may use it (else 404), or the district's default, or the built-in one."""
    usable = or_(Rubric.district_id.is_(None), Rubric.district_id == district_id)
    if rubric_id is not None:
        rubric = db.session.scalar(select(Rubric).where(Rubric.id == rubric_id, usable))
        if rubric is None:
            abort(404, description="No such rubric for this school.")
        return rubric
    return db.session.scalar(select(Rubric).where(usable, Rubric.is_default.is_(True))
                             .order_by(Rubric.district_id.is_(None), Rubric.id))


# ---------------------------------------------------------------- tallies: rollup when exact, raw otherwise

def trait_tallies(filters: Filters, trait_ids: list[int], by_facet: str | None, grain: str | None) -> tuple[dict, str]:
    """Tallies for the schools in the filters, and 'rollup' or 'raw' (the first that had to be used).

    Filters and columns within one facet read the rollup; filters that cut across facets (an observer,
    a setting with columns by place, two filters at once) read the conversation digest of schools
    whose rollup is built (it is built and kept with it); others read the raw rows."""
    needed = filters.facets_needed | ({by_facet} if by_facet else set())
    facet = next(iter(needed)) if len(needed) == 1 else ("all" if not needed else None)
    built = rollup.built_schools(filters.school_ids)
    from_rollup = tuple(s for s in filters.school_ids if s in built)
    from_raw = tuple(s for s in filters.school_ids if s not in built)
    tallies = {}
    if from_rollup and facet in queries.FACETS:
        tallies.update(rollup.trait_tallies(replace(filters, school_ids=from_rollup), trait_ids, facet, grain,
                                            by_value=by_facet is not None))
    elif from_rollup:
        found = (digest.trait_tallies(replace(filters, school_ids=from_rollup), trait_ids, by_facet or "all", grain)
                 if digest.answers(filters, by_facet) else None)
        if found is None:  # a rubric longer than the digest's lanes, or a plan filter
            from_raw = filters.school_ids
        else:
            tallies.update(found)
    if from_raw:
        tallies.update(queries.trait_tallies(replace(filters, school_ids=from_raw), trait_ids, by_facet or "all", grain))
    return tallies, "raw" if from_raw else "rollup"


def presence(view: SchoolView, by_date: bool | str, need_slots: bool) -> tuple[dict, str]:
    """Conversations and listening time. Listening time does not depend on what was heard, so under
    conversation filters it still comes from the rollup and the counts from the conversation digest;
    an observer filter narrows the walks too, so then listening time is the sum of that observer's
    walks' rows. Periods need a rollup cut with the school's current bell schedule."""
    built = rollup.built_schools([view.school.id]).get(view.school.id)
    usable = (built is not None and (built == view.schedule.key or not need_slots)
              and digest.answers(view.filters, None))
    if not usable:
        tallies = queries.presence(view.school.id, view.schedule, view.filters, bool(by_date))
        if by_date == "weekday":
            tallies = by_weekday(tallies)
        return tallies, "raw"
    return filtered_presence(view.school.id, view.filters, by_date), "rollup"


def by_weekday(tallies: dict[tuple, list[float]]) -> dict[tuple, list[float]]:
    """Day tallies summed by (weekday, place), slot None: the periods of a weekday's column are one."""
    summed: dict[tuple, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for (day, place, _slot), counts in tallies.items():
        total = summed[(day.weekday(), place, None)]
        for index in range(3):
            total[index] += counts[index]
    return dict(summed)


def filtered_presence(school_id: int, filters: Filters, by_date: bool | str) -> dict[tuple, list[float]]:
    """As queries.presence (by_date 'weekday': keyed by weekday, 0 = Monday), from a school's rollup and digest."""
    needed = filters.facets_needed
    if not needed:
        return rollup.presence(school_id, filters, by_date)
    if "observer" in needed:
        seconds = digest.listening(school_id, filters, by_date)
    else:
        seconds = {key: counts[2] for key, counts in rollup.presence(school_id, filters, by_date).items()}
    tallies = {key: [0, 0, spent] for key, spent in seconds.items()}
    for key, (conversations, walked) in digest.heard(school_id, filters, by_date).items():
        cell = tallies.setdefault(key, [0, 0, 0.0])
        cell[0], cell[1] = conversations, walked
    return tallies


# ---------------------------------------------------------------- frequency

def frequency(view: SchoolView, rows: str = "place", columns: str = "period", measure: str = "rate") -> Heatmap:
    """Conversations heard per hour of listening, by place (or kind of place) and period (or weekday)."""
    tallies, source = presence(view, by_date="weekday" if columns == "weekday" else False, need_slots=columns == "period")
    places = {loc.id: loc for loc in db.session.scalars(select(Location).where(Location.school_id == view.school.id))}
    row_of = (lambda place: place) if rows == "place" else (lambda place: places[place].kind.value if place in places else None)
    column_of = (lambda weekday, slot: slot) if columns == "period" else (lambda weekday, slot: weekday)
    sums: dict[tuple, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    used_columns, used_rows = set(), set()
    for (day, place, slot), counts in tallies.items():
        column = column_of(day, slot)
        row = row_of(place) if place != UNPLACED else None
        used_columns.add(column)
        for key in ((row, column), (row, ALL), (ALL, column), (ALL, ALL)):
            if key[0] is None:
                continue
            if key[0] != ALL:
                used_rows.add(key[0])
            total = sums[key]
            for index in range(3):
                total[index] += counts[index]
    heatmap = Heatmap(
        view="frequency", measure=measure, min_n=view.min_n, source=source,
        caption=f"Conversations heard per hour of listening, by {'place' if rows == 'place' else 'kind of place'} and "
                f"{'period' if columns == 'period' else 'weekday'}" if measure == "rate" else
                f"Conversations heard (raw counts), by {'place' if rows == 'place' else 'kind of place'} and "
                f"{'period' if columns == 'period' else 'weekday'}",
        row_title="Place" if rows == "place" else "Kind of place",
    )
    if columns == "period":
        heatmap.columns = [Axis(key, label) for key, label in view.schedule.slots()
                           if key > 0 or key in used_columns]  # outside the bell schedule: only if walked or heard
    else:
        heatmap.columns = [Axis(day, WEEKDAYS[day]) for day in range(7) if day < 5 or day in used_columns]
    heatmap.columns.append(Axis(ALL, "All day" if columns == "period" else "All week", total=True))
    if rows == "place":
        shown = [loc for loc in places.values() if not loc.archived or loc.id in used_rows]
        heatmap.rows = [Axis(loc.id, loc.name) for loc in sorted(shown, key=lambda loc: loc.name.lower())]
    else:
        kinds = sorted({loc.kind.value for loc in places.values()} | {r for r in used_rows if isinstance(r, str)})
        heatmap.rows = [Axis(kind, KIND_LABELS.get(kind, kind)) for kind in kinds]
    heatmap.rows.append(Axis(ALL, "Whole school", total=True))
    for key, (conversations, walked, seconds) in sums.items():
        heatmap.cells[key] = rate_cell(int(conversations), int(walked), seconds, view.min_n, measure, view.min_hours)
    colour(heatmap)
    explain_rates(heatmap, view.filters, view.min_hours)
    whole = sums.get((ALL, ALL), [0, 0, 0.0])
    unwalked = int(whole[0] - whole[1])
    if unwalked and measure == "rate":
        heatmap.notes.append(
            f"{unwalked:,} of {int(whole[0]):,} conversations were logged outside a walk: per-hour rates count only "
            "those heard on walks. Where nobody walked, the cell shows the raw count instead, marked “no walk time”.")
    if whole[2] == 0 and measure == "rate":
        heatmap.notes.append("No walk time in this range: every cell shows raw counts, not rates.")
    return heatmap


# ---------------------------------------------------------------- quality and trends

def share_sums(tallies: dict[tuple, list[int]], cells_of) -> dict[tuple, list[int]]:
    """[n, heard, strong] summed into the cells `cells_of(school, trait, value, day)` gives each tally."""
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (school_id, trait_id, value, day), (n, heard, strong, _walked) in tallies.items():
        for key in cells_of(school_id, trait_id, value, day):
            total = sums[key]
            total[0] += n
            total[1] += heard
            total[2] += strong
    return sums


def quality(view: SchoolView, by: str = "kind", measure: str = "heard") -> Heatmap:
    """For each trait, the share of conversations in which it was heard, by the chosen column."""
    trait_ids = [trait.id for trait in view.traits]
    tallies, source = trait_tallies(view.filters, trait_ids, BY_FACET[by], "week" if by == "week" else None)
    column_of, columns = column_mapper(view, by, tallies)
    sums = share_sums(tallies, lambda _school, trait_id, value, day: (
        (trait_id, column_of(value, day)), (trait_id, ALL)))
    heatmap = Heatmap(view="quality", measure=measure, min_n=view.min_n, source=source, row_title="Trait",
                      caption=f"{MEASURE_CAPTIONS[measure]}, by {BY_LABELS[by].lower()} ({view.rubric.name})")
    heatmap.rows = [Axis(trait.id, trait.label) for trait in view.traits]
    heatmap.columns = [*columns, Axis(ALL, "All conversations", total=True)]
    for key, (n, heard, strong) in sums.items():
        heatmap.cells[key] = share_cell(n, heard, strong, view.min_n, measure)
    colour(heatmap)
    return heatmap


MEASURE_CAPTIONS = {"heard": "Share of conversations in which each trait was heard",
                    "strong": "Share of conversations in which each trait was strong",
                    "mean": "Mean level of each trait (0 not heard, 1 heard, 2 strong)"}


def column_mapper(view: SchoolView, by: str, tallies: dict):
    """How a facet value (or day) becomes a column of the quality table, and the columns in order."""
    values = {(value, day) for (_s, _t, value, day) in tallies}
    if by == "week":
        weeks = sorted({week_of(day) for _, day in values})
        return (lambda value, day: week_of(day)), [Axis(w, w.strftime("%b %-d")) for w in weeks]
    if by in ("place", "place_kind"):
        places = {loc.id: loc for loc in db.session.scalars(select(Location).where(Location.school_id == view.school.id))}
        if by == "place":
            seen = {int(value) for value, _ in values}
            shown = sorted((loc for loc in places.values() if loc.id in seen), key=lambda loc: loc.name.lower())
            return (lambda value, day: int(value)), [Axis(loc.id, loc.name) for loc in shown]
        kinds = sorted({places[int(value)].kind.value for value, _ in values if int(value) in places})
        return ((lambda value, day: places[int(value)].kind.value if int(value) in places else "other"),
                [Axis(kind, KIND_LABELS.get(kind, kind)) for kind in kinds])
    if by == "planned":
        seen = {value for value, _ in values}
        return (lambda value, day: value), [Axis(k, PLANNED_LABELS[k]) for k in PLANNED_LABELS if k in seen]
    if by == "setting":
        order = [s.value for s in Setting] + [""]
        seen = {value.partition("/")[0] for value, _ in values}
        return (lambda value, day: value.partition("/")[0]), [Axis(s, SETTING_LABELS[s]) for s in order if s in seen]
    if by == "kind":
        order = [k.value for k in ConversationKind] + [""]
        seen = {value.partition("/")[2] for value, _ in values}
        return ((lambda value, day: value.partition("/")[2]),
                [Axis(k, TALK_LABELS.get(k, "Kind not recorded")) for k in order if k in seen])
    seen = sorted({value for value, _ in values}, key=lambda team: (team == "", team.lower()))
    return (lambda value, day: value), [Axis(team, team or "No team recorded") for team in seen]


def trends(view: SchoolView) -> Heatmap:
    """Weekly share per trait over the range, with the conversations per week as its own row."""
    trait_ids = [trait.id for trait in view.traits] + [CONVERSATIONS]
    tallies, source = trait_tallies(view.filters, trait_ids, None, "week")
    sums = share_sums(tallies, lambda _school, trait_id, _value, day: ((trait_id, week_of(day)),))
    weeks = sorted({week for _, week in sums})
    heatmap = Heatmap(view="trends", measure="heard", min_n=view.min_n, source=source, row_title="Trait",
                      caption=f"Weekly share of conversations in which each trait was heard ({view.rubric.name})")
    heatmap.rows = [Axis(trait.id, trait.label) for trait in view.traits]
    heatmap.columns = [Axis(week, week.strftime("%b %-d")) for week in weeks]
    for (trait_id, week), (n, heard, strong) in sums.items():
        if trait_id != CONVERSATIONS:
            heatmap.cells[(trait_id, week)] = share_cell(n, heard, strong, view.min_n)
    heatmap.column_n = {week: sums[(CONVERSATIONS, week)][0] for week in weeks}
    colour(heatmap)
    return heatmap


# ---------------------------------------------------------------- district

@dataclass
class DistrictView:
    district: District
    schools: list[School]
    rubric: Rubric
    filters: Filters
    min_n: int
    all_schools: list[School]
    min_hours: float = rates.DEFAULT_MIN_HOURS

    def rubrics(self) -> list[Rubric]:
        return db.session.scalars(select(Rubric).where(
            or_(Rubric.district_id.is_(None), Rubric.district_id == self.district.id)).order_by(Rubric.id)).all()


def open_district(user: User, district_id: int, args: dict) -> DistrictView:
    """District admins only: 404 for a district out of reach, 403 for a school member of it."""
    roles = school_roles(user)
    schools = db.session.scalars(select(School).where(School.district_id == district_id).order_by(School.name)).all()
    if not schools or not any(school.id in roles for school in schools):
        abort(404)
    if not all(roles.get(school.id) == Role.DISTRICT_ADMIN for school in schools):
        abort(403, description="The district view is for district admins; your school's dashboard shows your school.")
    wanted = set(args.get("school_ids") or [])
    if wanted - {school.id for school in schools}:
        abort(404, description="No such school in this district.")
    chosen = [school for school in schools if not wanted or school.id in wanted]
    rubric = pick_rubric(args.get("rubric_id"), district_id)
    filters = make_filters(args, tuple(school.id for school in chosen), rubric.id)
    min_n = min(school.min_cell_n for school in chosen)
    min_hours = min(school.min_listening_hours for school in chosen)  # the least strict, as for min_n
    return DistrictView(db.session.get(District, district_id), chosen, rubric, filters, min_n, list(schools), min_hours)


def district_quality(view: DistrictView, measure: str = "heard") -> Heatmap:
    traits = list(view.rubric.traits)
    tallies, source = trait_tallies(view.filters, [t.id for t in traits], None, None)
    sums = share_sums(tallies, lambda school_id, trait_id, _value, _day: ((school_id, trait_id), (ALL, trait_id)))
    heatmap = Heatmap(view="district_quality", measure=measure, min_n=view.min_n, source=source, row_title="School",
                      caption=f"{MEASURE_CAPTIONS[measure]}, by school ({view.rubric.name})")
    heatmap.rows = [Axis(s.id, s.name) for s in view.schools] + [Axis(ALL, "All schools", total=True)]
    heatmap.columns = [Axis(t.id, t.label) for t in traits]
    for key, (n, heard, strong) in sums.items():
        heatmap.cells[key] = share_cell(n, heard, strong, view.min_n, measure)
    colour(heatmap)
    return heatmap


def district_frequency(view: DistrictView, measure: str = "rate") -> Heatmap:
    filters = view.filters
    built = rollup.built_schools(filters.school_ids)
    rolled = replace(filters, school_ids=tuple(s for s in filters.school_ids if s in built))
    by_weekday: dict[tuple, list[float]] = {}
    source = "rollup"
    if rolled.school_ids and not filters.facets_needed:
        by_weekday = rollup.school_weekdays(rolled)
    elif rolled.school_ids:  # conversations narrowed by a facet; listening time as is
        for (school_id, day), (_c, _w, seconds) in rollup.school_days(rolled).items():
            by_weekday.setdefault((school_id, day.weekday()), [0, 0, 0.0])[2] += seconds
        counted, _ = trait_tallies(rolled, [CONVERSATIONS], None, "day")
        for (school_id, _trait, _value, day), (n, _h, _s, walked) in counted.items():
            cell = by_weekday.setdefault((school_id, day.weekday()), [0, 0, 0.0])
            cell[0] += n
            cell[1] += walked
    for school in view.schools:
        if school.id not in built:
            source = "raw"
            school_filters = replace(filters, school_ids=(school.id,))
            for (day, _place, _slot), counts in queries.presence(
                    school.id, rollup.schedule_for(school.id, school.timezone), school_filters, by_date=True).items():
                cell = by_weekday.setdefault((school.id, day.weekday()), [0, 0, 0.0])
                for index in range(3):
                    cell[index] += counts[index]
    sums: dict[tuple, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    used = set()
    for (school_id, weekday), counts in by_weekday.items():
        used.add(weekday)
        for key in ((school_id, weekday), (school_id, ALL), (ALL, weekday), (ALL, ALL)):
            for index in range(3):
                sums[key][index] += counts[index]
    heatmap = Heatmap(view="district_frequency", measure=measure, min_n=view.min_n, source=source, row_title="School",
                      caption="Conversations heard per hour of listening, by school and weekday" if measure == "rate"
                      else "Conversations heard (raw counts), by school and weekday")
    heatmap.rows = [Axis(s.id, s.name) for s in view.schools] + [Axis(ALL, "All schools", total=True)]
    heatmap.columns = [Axis(d, WEEKDAYS[d]) for d in range(7) if d < 5 or d in used] + [Axis(ALL, "All week", total=True)]
    for key, (conversations, walked, seconds) in sums.items():
        heatmap.cells[key] = rate_cell(int(conversations), int(walked), seconds, view.min_n, measure, view.min_hours)
    colour(heatmap)
    explain_rates(heatmap, view.filters, view.min_hours)
    return heatmap


def explain_rates(heatmap: Heatmap, filters: Filters, min_hours: float) -> None:
    """A rate table says how thin a cell may be, and what it counts under a setting, kind or team filter."""
    if heatmap.measure != "rate":
        return
    heatmap.min_hours = min_hours
    heatmap.rate_filter = rates.rate_filter(filters, SETTING_LABELS, TALK_LABELS)
    if heatmap.rate_filter:
        heatmap.caption = f"{heatmap.rate_filter} conversations heard per hour of all listening" + \
            heatmap.caption.removeprefix("Conversations heard per hour of listening")
        heatmap.notes.append(rates.rate_meaning(heatmap.rate_filter))


# ---------------------------------------------------------------- filter choices

def filter_choices(view: SchoolView, user: User) -> dict:
    """Teams, observers (for those who may filter by them) and rubrics, for the filter form."""
    school_id = view.school.id
    if rollup.built_schools([school_id]):
        found = rollup.facet_values(school_id, "team")
    else:
        found = db.session.scalars(select(queries.O.team).where(queries.O.school_id == school_id).distinct())
    teams = sorted({team for team in found if team}, key=str.lower)
    observers = []
    if sees_observers(user, school_id):
        observers = db.session.execute(
            select(User.id, User.name).where(User.id.in_(select(Walk.observer_id).where(Walk.school_id == school_id)))
            .order_by(User.name)).all()
    rubrics = db.session.scalars(select(Rubric).where(
        or_(Rubric.district_id.is_(None), Rubric.district_id == view.school.district_id)).order_by(Rubric.id)).all()
    return {"teams": teams, "observers": observers, "rubrics": rubrics, "can_export": can(Action.EXPORT, school_id, user)}

