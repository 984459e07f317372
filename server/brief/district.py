"""The district brief: the district's schools side by side over the period, for district admins, from
the district heatmaps and each school's follow-up results. Changes are each school's own (a school is
compared with itself in the period before), said only where larger than their uncertainty."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from server.auth.models import User
from server.brief import figures
from server.brief.periods import choose, local_today
from server.brief.service import QUESTIONS_SHOWN, Brief, choose_version, results_line
from server.db import utcnow
from server.heatmaps import service
from server.heatmaps.cells import Heatmap
from server.heatmaps.change import interval_words, share_difference
from server.heatmaps.questions import Question, pct
from server.heatmaps.service import ALL, DistrictView
from server.results.queries import outcome_rows_by_school


def district_brief(user: User, district_id: int, args: dict, now: datetime | None = None) -> Brief:
    now = now or utcnow()
    view = service.open_district(user, district_id, {"rubric_id": args.get("rubric_id")})  # admins only: 404 / 403
    version = choose_version(args.get("version"), True)
    today = max(local_today(school.timezone, now) for school in view.schools)
    period = choose(args, today, district_id=district_id)
    now_view, before = in_district_period(view, period.start, period.end), in_district_period(view, *period.previous())
    quality, frequency = service.district_quality(now_view), service.district_frequency(now_view)
    quality_before, frequency_before = service.district_quality(before), service.district_frequency(before)
    whole = frequency.cell(ALL, ALL)
    brief = Brief(view.district, None, version, period, period.previous(), now, view.min_n, view.min_hours,
                  view.rubric.name, numbers={
                      "conversations": whole.conversations or 0, "hours": whole.hours or 0.0,
                      "rate": whole.value if whole.hours else None,
                      "rate_low": whole.interval[0] if whole.hours else None,
                      "rate_high": whole.interval[1] if whole.hours else None,
                      "schools": len(view.schools),
                      "schools_with_data": sum(1 for s in view.schools if frequency.cell(s.id, ALL).conversations)})
    for school in view.schools:
        brief.changes += figures.share_changes(
            ((trait.label, quality.cell(school.id, trait.key), quality_before.cell(school.id, trait.key))
             for trait in quality.columns), view.min_n, school.name)
        now_cell, before_cell = frequency.cell(school.id, ALL), frequency_before.cell(school.id, ALL)
        rate = figures.rate_change((now_cell.walked or 0, now_cell.hours or 0.0),
                                   (before_cell.walked or 0, before_cell.hours or 0.0), view.min_n, school.name)
        brief.changes += [rate] if rate else []
    if version == "staff":
        quality, frequency = figures.for_staff(quality), figures.for_staff(frequency)
    brief.tables = {"district_quality": quality, "district_frequency": frequency}
    outcomes = outcome_rows_by_school(view.schools, period.start, period.end)  # one read for every school
    for school in view.schools:
        results = results_line(school, school.name, outcomes[school.id], period.start, period.end, now)
        cell = frequency.cell(school.id, ALL)
        brief.schools.append({"school_id": school.id, "name": school.name, "numbers": {
            "conversations": cell.conversations or 0, "hours": cell.hours or 0.0,
            "rate": cell.value if cell.hours and not cell.few else None,
            "rate_low": cell.interval[0] if cell.hours and not cell.few else None,
            "rate_high": cell.interval[1] if cell.hours and not cell.few else None,
            "schools": None, "schools_with_data": None},
            "results": results, "question": rarest_at(quality, school)})
    brief.results = [row["results"] for row in brief.schools]
    clear = sorted((line for line in brief.changes if line.clear), key=lambda line: -abs(line.change.estimate or 0))
    brief.questions = ([Question(line.words, "What happened there that other schools could learn from?"
                                 if line.change.direction == "rose" else "What support would help there?", "changes")
                        for line in clear][:2] + school_gaps(quality, view.schools)
                       + [row["question"] for row in brief.schools if row["question"]])[:QUESTIONS_SHOWN]
    return brief


def in_district_period(view: DistrictView, start, end) -> DistrictView:
    filters = service.make_filters({"date_from": start, "date_to": end}, view.filters.school_ids, view.rubric.id)
    return replace(view, filters=filters)


def school_gaps(quality: Heatmap, schools, shown: int = 2) -> list[Question]:
    """The traits whose share differs most between two schools, where the gap is larger than its uncertainty."""
    gaps = []
    for trait in quality.columns:
        cells = [(quality.cell(s.id, trait.key), s.name) for s in schools]
        cells = [(cell, name) for cell, name in cells if cell.value is not None and not cell.few]
        if len(cells) < 2:
            continue
        (high, high_name), (low, low_name) = max(cells, key=lambda c: c[0].value), min(cells, key=lambda c: c[0].value)
        gap = share_difference(high.heard, high.n, low.heard, low.n)
        if gap.clear:
            gaps.append((gap.estimate, Question(
                f"{trait.label} is heard in {pct(high.value)} of {high.n:,} conversations at {high_name} and "
                f"{pct(low.value)} of {low.n:,} at {low_name}: {gap.estimate * 100:.0f} points apart ({interval_words(gap)}).",
                f"What does {high_name} do that brings {trait.label.lower()} into its conversations, and could "
                f"{low_name} borrow it?", "district_quality")))
    return [question for _gap, question in sorted(gaps, key=lambda item: -item[0])[:shown]]


def rarest_at(quality: Heatmap, school) -> Question | None:
    """The school's rarest readable trait over the period."""
    cells = [(quality.cell(school.id, trait.key), trait.label) for trait in quality.columns]
    cells = [(cell, label) for cell, label in cells if cell.value is not None and not cell.few]
    if not cells:
        return None
    cell, label = min(cells, key=lambda item: (item[0].value, item[1]))
    return Question(f"At {school.name}, {label} is the rarest trait: heard in {pct(cell.value)} of {cell.n:,} conversations.",
                    f"What would bring {label.lower()} into {school.name}'s conversations, and who in the district "
                    "does it well?", "district_quality")
