"""The meeting brief's calibration section: how closely do our observers agree, trait by trait?"""
from __future__ import annotations

from server.brief.sections import Section, SectionContext, provides
from server.calibration.service import percent, school_agreement


@provides(20)
def calibration_section(context: SectionContext) -> Section | None:
    agreement = [a for a in school_agreement(context.school, context.start, context.end) if a.exact.n]
    if not agreement:
        return None
    shown = [a for a in agreement if not (context.staff and a.few)]  # the staff version: nothing under min n
    conversations = max(a.exact.n for a in agreement)
    lines = [f"{conversations} conversations were co-listened by two or more observers in the period."]
    doubtful = [a.trait.label for a in shown if a.alpha.value is not None and a.reading == "not yet" and not a.few]
    if doubtful:
        lines.append("Observers do not yet hear these alike (alpha under 0.667): " + ", ".join(doubtful)
                     + ". Read their cells with care, and listen together on them.")
    rows = [[a.trait.label, percent(a.exact.value) if a.exact.value is not None else "–",
             f"{a.alpha.value:.2f}" if a.alpha.value is not None else "not defined",
             a.reading if a.alpha.value is not None else "–", str(a.exact.n) + (" (too few)" if a.few else "")]
            for a in shown]
    return Section("calibration", "Do our observers hear the same thing?", lines,
                   ["Trait", "Agree exactly", "Alpha (ordinal)", "Reading", "n"], rows)
