"""Calibration: do our observers hear the same thing? Agreement per trait over co-listened conversations.

What leaders see is the team's agreement: per trait, exact agreement, Krippendorff's alpha (ordinal)
with a bootstrap interval, and weighted kappa for two-observer conversations, each with its n; the
same by month, so training shows; and the traits the team splits on most. Per observer, only for
principals and district admins (and each observer for themself): how often their level sat above or
below their colleagues'. That is calibration of ears, not a grade: nobody's ratings or notes are shown.
Access is the dashboard's (heatmaps' open_school / open_district).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_login import current_user
from sqlalchemy import or_, select

from server.auth.models import User
from server.calibration import queries, stats
from server.calibration.stats import Figure
from server.db import db
from server.enums import Role
from server.access import Action, require_school, school_roles
from server.heatmaps.service import open_district, pick_rubric, sees_observers
from server.rubrics.models import Rubric, Trait
from server.schools.models import School

TOP_SPLITS = 3


@dataclass
class TraitAgreement:
    trait: Trait
    exact: Figure
    alpha: Figure
    kappa: Figure
    apart_by_two: int
    few: bool  # n under the school's minimum: read with care whatever the value

    @property
    def reading(self) -> str:
        return stats.reading(self.alpha.value)


@dataclass
class MonthAgreement:
    month: date
    conversations: int
    exact: Figure  # all traits pooled: the share of (conversation, trait) ratings where everyone agreed
    traits: dict[int, tuple[Figure, Figure]]  # trait id → (exact agreement, alpha without interval)

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def label(self) -> str:
        return f"{self.month:%b %Y}"


@dataclass
class ObserverDrift:
    observer_id: int
    name: str
    is_self: bool
    traits: dict[int, queries.DriftRow] = field(default_factory=dict)

    @property
    def conversations(self) -> int:
        return max((row.conversations for row in self.traits.values()), default=0)


@dataclass
class Report:
    school: School | None
    schools: list[School]
    rubric: Rubric
    traits: list[Trait]
    date_from: date | None
    date_to: date | None
    min_n: int
    conversations: int
    agreement: list[TraitAgreement]
    months: list[MonthAgreement]
    splits: list[TraitAgreement]
    drift: list[ObserverDrift] | None  # None: this user may not see drift at all
    drift_scope: str  # "all", "own" or "none"
    by_school: list[tuple[School, int, list[TraitAgreement]]] = field(default_factory=list)
    view: object = None  # the dashboard's SchoolView or DistrictView it was read through

    def view_rubrics(self) -> list[Rubric]:
        """The rubrics the school's (or district's) observers may use, for the page's choice."""
        district_id = self.schools[0].district_id
        return db.session.scalars(select(Rubric).where(
            or_(Rubric.district_id.is_(None), Rubric.district_id == district_id)).order_by(Rubric.id)).all()


def _agreements(tally: queries.Tally, traits: list[Trait], min_n: int, interval: bool) -> list[TraitAgreement]:
    """Per trait: with `interval`, alpha from the library with its bootstrap interval; without, all traits'
    alphas in one batched computation (months, heatmap lines)."""
    if not interval:
        return _agreements_of([tally], traits, [min_n])[0]
    patterns = [tally.patterns.get(trait.id, {}) for trait in traits]
    return _figures(traits, patterns, [stats.alpha(found) for found in patterns],
                    stats.weighted_kappas([tally.pairs.get(trait.id, {}) for trait in traits]), min_n)


def _agreements_of(tallies: list[queries.Tally], traits: list[Trait], min_ns: list[int]) -> list[list[TraitAgreement]]:
    """_agreements without intervals for many tallies (a district's schools, a page's months), their alphas
    and kappas each in one batched computation."""
    patterns = [tally.patterns.get(trait.id, {}) for tally in tallies for trait in traits]
    alphas = stats.alphas_without_interval(patterns)
    kappas = stats.weighted_kappas([tally.pairs.get(trait.id, {}) for tally in tallies for trait in traits])
    size = len(traits)
    return [_figures(traits, patterns[i * size:(i + 1) * size], alphas[i * size:(i + 1) * size],
                     kappas[i * size:(i + 1) * size], min_n) for i, min_n in enumerate(min_ns)]


def _figures(traits: list[Trait], patterns: list[dict], alphas: list[Figure], kappas: list[Figure],
             min_n: int) -> list[TraitAgreement]:
    found = []
    for trait, trait_patterns, alpha, kappa in zip(traits, patterns, alphas, kappas):
        exact = stats.exact_agreement(trait_patterns)
        found.append(TraitAgreement(trait, exact, alpha, kappa, stats.apart_by_two(trait_patterns), exact.n < min_n))
    return found


def _months(patterns: queries.Patterns, traits: list[Trait]) -> list[MonthAgreement]:
    months = []
    by_month = sorted(patterns.tallies(queries.MONTH).items())
    for (month, _tally), agreement in zip(by_month, _agreements_of([tally for _, tally in by_month], traits,
                                                                   [0] * len(by_month))):
        figures = {a.trait.id: (a.exact, a.alpha) for a in agreement}
        n = sum(f[0].n for f in figures.values())
        agreed = sum(round(f[0].value * f[0].n) for f in figures.values() if f[0].value is not None)
        conversations = max((f[0].n for f in figures.values()), default=0)
        months.append(MonthAgreement(queries.month_date(month), conversations, Figure(n, agreed / n if n else None),
                                     figures))
    return months


def _splits(agreement: list[TraitAgreement]) -> list[TraitAgreement]:
    """The traits observers most often rate apart (lowest exact agreement, then most two-level gaps)."""
    rated = [a for a in agreement if a.exact.value is not None and a.exact.value < 1]
    return sorted(rated, key=lambda a: (a.exact.value, -a.apart_by_two / a.exact.n))[:TOP_SPLITS]


def _drift(user: User, school_id: int, rubric_id: int, date_from, date_to) -> tuple[list[ObserverDrift] | None, str]:
    if sees_observers(user, school_id):
        scope, observer_id = "all", None
    elif school_roles(user).get(school_id) == Role.OBSERVER:
        scope, observer_id = "own", user.id
    else:
        return None, "none"
    drifts: dict[int, ObserverDrift] = {}
    rows = queries.remembered("drift", (school_id,), (rubric_id, date_from, date_to),
                              lambda: queries.drift_rows(school_id, rubric_id, date_from, date_to))
    rows = [row for row in rows if observer_id is None or row.observer_id == observer_id]
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_({r.observer_id for r in rows}))).all())
    for row in rows:
        if row.observer_id not in names:
            continue  # erased since: nothing of theirs is shown
        drift = drifts.setdefault(row.observer_id, ObserverDrift(row.observer_id, names[row.observer_id],
                                                                 row.observer_id == user.id))
        drift.traits[row.trait_id] = row
    return sorted(drifts.values(), key=lambda d: (not d.is_self, d.name.lower())), scope


def _patterns(school_ids: tuple[int, ...], rubric_id: int, date_from, date_to) -> queries.Patterns:
    return queries.remembered("patterns", school_ids, (rubric_id, date_from, date_to),
                              lambda: queries.pattern_rows(school_ids, rubric_id, date_from, date_to))


def _plain(agreement: list[TraitAgreement]) -> list[tuple]:
    """Figures without the ORM's trait objects, to be remembered beyond this request."""
    return [(a.trait.id, a.exact, a.alpha, a.kappa, a.apart_by_two, a.few) for a in agreement]


def _dressed(plain: list[tuple], traits: list[Trait]) -> list[TraitAgreement]:
    by_id = {trait.id: trait for trait in traits}
    return [TraitAgreement(by_id[trait_id], *figures) for trait_id, *figures in plain]


def _report(school_ids: tuple[int, ...], schools: list[School], rubric: Rubric, traits: list[Trait], args: dict,
            min_n: int, per_school: bool) -> Report:
    """The figures, computed once while the schools' data stands still (bootstrap included)."""
    start, end = args.get("date_from"), args.get("date_to")

    def compute() -> list:
        patterns = queries.pattern_rows(school_ids, rubric.id, start, end)
        schools_plain = []
        if per_school:
            by_school = patterns.tallies(queries.SCHOOL)
            found = _agreements_of([by_school.get(school.id, queries.EMPTY) for school in schools], traits,
                                   [school.min_cell_n for school in schools])
            schools_plain = [(school.id, _plain(agreement)) for school, agreement in zip(schools, found)]
        return [_plain(_agreements(patterns.total(), traits, min_n, interval=True)), _months(patterns, traits),
                schools_plain]

    plain, months, schools_plain = queries.remembered("figures", school_ids, (rubric.id, start, end, min_n, per_school),
                                                      compute)
    agreement = _dressed(plain, traits)
    by_id = {school.id: school for school in schools}
    by_school = []
    for school_id, found_plain in schools_plain:
        found = _dressed(found_plain, traits)
        by_school.append((by_id[school_id], max((a.exact.n for a in found), default=0), found))
    return Report(schools[0] if not per_school else None, schools, rubric, traits, start, end, min_n,
                  max((a.exact.n for a in agreement), default=0), agreement, months, _splits(agreement), None, "none",
                  by_school)


@dataclass
class SchoolCalibrationView:
    """What the dashboard's frame needs of a school page (no bell schedule: calibration has no periods)."""

    school: School
    rubric: Rubric
    traits: list[Trait]
    min_n: int


def open_calibration(user: User, school_id: int, args: dict) -> SchoolCalibrationView:
    """The school as the dashboard checks it (404 out of reach, 403 without aggregates) and its rubric."""
    school = require_school(Action.VIEW_AGGREGATES, school_id, user)
    rubric = pick_rubric(args.get("rubric_id"), school.district_id)
    return SchoolCalibrationView(school, rubric, list(rubric.traits), school.min_cell_n)


def school_report(user: User, school_id: int, args: dict) -> Report:
    """The calibration page of one school (checked like every dashboard view)."""
    view = open_calibration(user, school_id, args)
    report = _report((view.school.id,), [view.school], view.rubric, view.traits, args, view.min_n, per_school=False)
    report.drift, report.drift_scope = _drift(user, view.school.id, view.rubric.id, args.get("date_from"),
                                              args.get("date_to"))
    report.view = view
    return report


def district_report(user: User, district_id: int, args: dict) -> Report:
    """The district's schools pooled, and each school's alpha per trait (district admins only)."""
    view = open_district(user, district_id, args)
    report = _report(view.filters.school_ids, view.schools, view.rubric, list(view.rubric.traits), args, view.min_n,
                     per_school=True)
    report.view = view
    return report


def check_district(district_id: int, **_path) -> None:
    """The district report's permission, checked before its query is read: district admins only."""
    open_district(current_user, district_id, {})


def school_agreement(school: School, start: date, end: date) -> list[TraitAgreement]:
    """Agreement per trait on the district's default rubric over [start, end], without intervals (the
    meeting brief's section, server/calibration/brief.py). Access is the caller's."""
    rubric = pick_rubric(None, school.district_id)
    traits = list(rubric.traits)
    return _agreements(_patterns((school.id,), rubric.id, start, end).total(), traits, school.min_cell_n, interval=False)


def percent(value: float) -> str:
    return f"{value * 100:.0f} %"


def heatmap_lines(school_id: int, rubric_id: int, date_from: date | None, date_to: date | None,
                  traits: list[Trait], min_n: int) -> list[str]:
    """One line per trait for the quality heatmap: how well observers agree on it, and how to read its cells.
    The caller has already checked access to the school's aggregates."""
    patterns = _patterns((school_id,), rubric_id, date_from, date_to)
    if not len(patterns):
        return ["No co-listened conversations in this range, so how closely observers agree on each trait is not "
                "known yet: listen together now and then to find out."]
    lines = []
    for a in _agreements(patterns.total(), traits, min_n, interval=False):
        if a.exact.n == 0:
            lines.append(f"{a.trait.label}: not co-listened in this range.")
            continue
        head = f"{a.trait.label}: observers agree {percent(a.exact.value)}"
        if a.alpha.value is None:
            lines.append(f"{head}, n {a.exact.n}: too few or too alike ratings for alpha; read its cells with care.")
            continue
        advice = {"reliable": "its cells read well", "tentative": "read its cells with some care"}.get(
            a.reading, "read its cells with care")
        if a.few:
            advice = "too few co-listened conversations to be sure; read its cells with care"
        lines.append(f"{head}, alpha {a.alpha.value:.2f}, n {a.exact.n}: {advice}.")
    return lines


def _number(value) -> float | None:
    return None if value is None else float(value)


def figure_json(figure: Figure) -> dict:
    """JSON-ready (plain floats): the API passes it through as it is (schemas/calibration.py: Prepared)."""
    return {"n": int(figure.n), "value": _number(figure.value), "interval_low": _number(figure.low),
            "interval_high": _number(figure.high), "reason": figure.reason}


def _trait_json(a: TraitAgreement) -> dict:
    return {"trait_id": a.trait.id, "key": a.trait.key, "label": a.trait.label, "exact_agreement": figure_json(a.exact),
            "alpha": figure_json(a.alpha), "kappa": figure_json(a.kappa), "apart_by_two": a.apart_by_two,
            "reading": a.reading, "few": a.few}


def as_json(report: Report) -> dict:
    """The figures as the API gives them and the page shows them (one source for both)."""
    return {
        "school_id": report.school.id if report.school else None, "rubric_id": report.rubric.id,
        "date_from": report.date_from, "date_to": report.date_to, "min_n": report.min_n,
        "conversations": report.conversations,
        "thresholds": {"reliable": stats.RELIABLE, "tentative": stats.TENTATIVE},
        "traits": [_trait_json(a) for a in report.agreement],
        "months": [{"key": m.key, "label": m.label, "conversations": m.conversations,
                    "exact_agreement": figure_json(m.exact),
                    "traits": [{"trait_id": t, "exact_agreement": figure_json(e), "alpha": figure_json(a)}
                               for t, (e, a) in m.traits.items()]} for m in report.months],
        "splits": [a.trait.id for a in report.splits],
        "drift_scope": report.drift_scope,
        "drift": [{"observer_id": d.observer_id, "name": d.name, "is_self": d.is_self, "conversations": d.conversations,
                   "traits": [{"trait_id": r.trait_id, "conversations": r.conversations, "above": r.above,
                               "below": r.below} for r in d.traits.values()]} for d in report.drift or []],
        "schools": [{"school_id": s.id, "name": s.name, "conversations": n, "traits": [_trait_json(a) for a in found]}
                    for s, n, found in report.by_school],
    }
