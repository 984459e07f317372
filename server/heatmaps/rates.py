"""Conversations per hour of listening, read honestly: an exact interval, a rule for cells too thin
to read, and what a rate means when a filter narrows the conversations but not the listening.

A rate is count / hours. Its 95 % interval is the exact Poisson (Garwood) interval for the count,
divided by the hours: lower = Gamma⁻¹(2.5 %; k), upper = Gamma⁻¹(97.5 %; k + 1) (the same numbers
as chi²⁻¹(p; 2k) / 2 and chi²⁻¹(p; 2k + 2) / 2), taken from scipy. A rate is too thin to read when
 - its listening time is under the school's minimum (School.min_listening_hours, 1 hour by default),
   so five logs in forty seconds never read as 467.5 an hour; or
 - its interval is too wide: more than twice the rate itself (relative half-width above 100 %).
   That width depends on the count alone (1.00 at 5 conversations, 0.90 at 6), so it asks for
   at least 6 conversations behind a non-zero rate. A zero has no relative width; it is read by
   its listening time alone (0 in h hours: fewer than 3.69 / h an hour, at 95 %).
"""
from __future__ import annotations

from functools import lru_cache

from server.heatmaps.queries import Filters

CONFIDENCE = 0.95
MAX_RELATIVE_HALF_WIDTH = 1.0   # (upper − lower) / 2 over the rate: above this the interval is too wide
DEFAULT_MIN_HOURS = 1.0


@lru_cache(maxsize=4096)
def poisson_bounds(count: int) -> tuple[float, float]:
    """The exact (Garwood) 95 % interval of a Poisson mean from one observed count, per unit of exposure."""
    from scipy.special import gammaincinv  # imported when first needed: the CLI and workers start without it

    tail = (1 - CONFIDENCE) / 2
    lower = float(gammaincinv(count, tail)) if count > 0 else 0.0
    return lower, float(gammaincinv(count + 1, 1 - tail))


def rate_interval(count: int, hours: float) -> tuple[float, float]:
    lower, upper = poisson_bounds(count)
    return lower / hours, upper / hours


def too_wide(count: int) -> bool:
    """The interval's half-width is more than the rate itself: the cell cannot tell a rate from half or double it.

    Hours scale the rate and its bounds alike, so the relative width is the count's alone."""
    if count <= 0:
        return False
    lower, upper = poisson_bounds(count)
    return (upper - lower) / 2 > MAX_RELATIVE_HALF_WIDTH * count


def is_thin(count: int, hours: float, min_hours: float) -> bool:
    return hours < min_hours or too_wide(count)


def rate_filter(filters: Filters, setting_labels: dict, talk_labels: dict) -> str | None:
    """Which conversations a rate counts when a setting, kind or team filter narrows them (None: all of them).

    Listening time cannot be split by those (a walk listens to everything), so such a rate is a
    part of the conversations over all the listening: comparable with other cells under the same
    filter, never with the unfiltered rates.
    """
    parts = []
    if filters.setting:
        parts.append(setting_labels.get(filters.setting, filters.setting))
    if filters.conversation_kind:
        parts.append(talk_labels.get(filters.conversation_kind, filters.conversation_kind))
    if filters.team:
        parts.append(filters.team)
    if filters.planned is not None:
        parts.append("planned" if filters.planned else "unplanned")
    return " · ".join(parts) or None


def rate_meaning(subject: str) -> str:
    """The sentence the pages, the JSON and the CSV carry under a numerator-only filter."""
    return (f"These rates count only {subject} conversations, per hour of all listening: listening time can't be "
            "split by setting, kind of conversation or team. Compare them with each other, not with the rates "
            "without these filters.")
