"""Coverage as CSV: one row per planned conversation, then one row per occurrence (shares as fractions)."""
from __future__ import annotations

from server.coverage.service import CoverageSummary, Share
from server.heatmaps.exports import write_csv

PLAN_HEADER = ["planned_conversation", "kind", "place", "past", "checked", "checked_share", "heard", "heard_share",
               "heard_interval_low", "heard_interval_high", "too_few", "not_held", "cancelled_on_the_day",
               "logistics_only", "not_checked", "upcoming", "cancelled", "logs", "focus_traits_heard",
               "follow_ups_opened", "follow_ups_done", "follow_ups_open", "changed_practice", "changed_practice_of",
               "deleted_from_the_plan"]
OCCURRENCE_HEADER = ["planned_conversation", "day", "starts", "status", "why_not_heard", "logs"]


def fraction(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def focus_text(plan) -> str:
    """"evidence 3/8; action 1/8": the focus traits heard, of the logs that count."""
    return "; ".join(f"{t.key} {t.share.count}/{t.share.n}" for t in plan.traits if t.focus)


def coverage_csv(summary: CoverageSummary) -> tuple[str, int]:
    """The summary as CSV; the number of plan rows is returned for the audit log."""
    lines: list[list] = [PLAN_HEADER]
    for plan in summary.plans:
        heard: Share = plan.happened
        tally = plan.follow_ups
        changed = plan.changed_practice
        lines.append([plan.name, plan.kind, plan.place or "", plan.past, plan.checked.count,
                      fraction(plan.checked.value), heard.count, fraction(heard.value), fraction(heard.low),
                      fraction(heard.high), "yes" if heard.few else "no", plan.counts["not_held"],
                      plan.counts["cancelled_on_the_day"], plan.counts["not_learning"], plan.counts["not_checked"],
                      plan.counts["upcoming"], plan.counts["cancelled"], plan.logs, focus_text(plan), tally.opened,
                      tally.on_time + tally.late, tally.open, changed.count if changed else "",
                      changed.n if changed else "", "yes" if plan.removed else "no"])
    lines += [[], OCCURRENCE_HEADER]
    for plan in summary.plans:
        for mark in plan.marks:
            lines.append([plan.name, mark.day.isoformat(), f"{mark.local_start:%H:%M}" if mark.local_start else "",
                          mark.status, mark.outcome or "", mark.logs])
    lines += [[], [f"{summary.school_name}, {summary.start} to {summary.end} ({summary.timezone}). Heard share = heard "
                   f"of checked occurrences, 95% Wilson interval; too few under {summary.min_n} checked."]]
    return write_csv(lines), len(summary.plans)
