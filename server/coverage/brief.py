"""The meeting brief's coverage section: did the planned conversations happen in the brief's period?"""
from __future__ import annotations

from server.brief.sections import Section, SectionContext, provides
from server.coverage.service import Share, school_coverage


def _share_words(share: Share, staff: bool, min_n: int) -> str:
    """`count of n` with its interval; the staff version says only "under N" for a share under min n."""
    if share.n == 0:
        return "–"
    if share.few:
        return f"under {min_n}" if staff else f"{share.count} of {share.n} (too few)"
    return f"{share.count} of {share.n} ({share.low * 100:.0f}–{share.high * 100:.0f} %)"


@provides(10)
def coverage_section(context: SectionContext) -> Section | None:
    summary = school_coverage(context.school, context.start, context.end, detail=False)
    due = [plan for plan in summary.plans if plan.checked.n]
    if not due:
        return None
    lines = [f"{len(due)} planned conversations were due {summary.checked.n} times in the period: "
             f"checked {summary.checked.count} times, and a learning conversation was heard at "
             f"{summary.happened.count} of those."]
    if summary.never_checked:
        lines.append(f"{summary.never_checked} of them were never checked: nobody went to listen.")
    rare = [plan for plan in due if not plan.happened.few and plan.happened.high is not None and plan.happened.high < 0.5]
    if rare:
        lines.append("Rarely happening when checked: " + ", ".join(plan.name for plan in rare) + ".")
    rows = [[plan.name, _share_words(plan.checked, context.staff, summary.min_n),
             _share_words(plan.happened, context.staff, summary.min_n)] for plan in due]
    return Section("coverage", "Planned conversations", lines, ["Planned conversation", "Checked", "Happened"], rows)
