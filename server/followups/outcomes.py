"""What a follow-up's outcome says about practice: the one definition every figure of "changed practice" uses.

A follow-up speaks to practice only when it was done and its owner answered "did practice change?".
A dropped follow-up, or one done without an answer, is evidence of nothing either way, so it is in
neither the numerator nor the denominator (the dropped ones are counted on their own). The older
school summary once counted dropped follow-ups as "not changed", which made its share lower than
the Results page's for the same follow-ups.
"""
from __future__ import annotations

from server.enums import FollowUpStatus


def practice_answer(status: FollowUpStatus | str, changed_practice: bool | None) -> bool | None:
    """True or False when the follow-up counts towards the changed-practice share, else None."""
    if FollowUpStatus(status) != FollowUpStatus.DONE or changed_practice is None:
        return None
    return bool(changed_practice)
