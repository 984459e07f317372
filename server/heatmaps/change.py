"""Change that is real: the product says a share or a rate rose or fell only when the change is larger
than its uncertainty, and "no clear change" otherwise.

- Two shares (x1 of n1 against x2 of n2): Newcombe's hybrid score interval for p1 - p2, built from the
  two 95 % Wilson intervals (Newcombe 1998, method 10), honest at small n and near 0 % or 100 %.
- Two rates (x1 events in t1 hours against x2 in t2): the exact conditional interval for the rate ratio:
  given x1 + x2 events, x1 is binomial with p = R t1 / (R t1 + t2); a Clopper-Pearson interval for p
  becomes one for R (beta quantiles from scipy, as rates.py takes its Garwood intervals).
A change is clear when the interval leaves out 0 (difference) or 1 (ratio).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from server.heatmaps.cells import wilson

ALPHA = 0.05


@dataclass(frozen=True)
class Change:
    """A difference (shares) or a ratio (rates) of `after` against `before`, with its 95 % interval."""

    estimate: float | None
    low: float | None
    high: float | None
    no_change: float          # 0 for a difference, 1 for a ratio

    @property
    def clear(self) -> bool:
        """The interval leaves out "no change": the change is larger than its uncertainty."""
        return self.low is not None and (self.low > self.no_change or self.high < self.no_change)

    @property
    def direction(self) -> str | None:
        """'rose', 'fell', or None when there is no clear change."""
        if not self.clear:
            return None
        return "rose" if self.low > self.no_change else "fell"


def share_difference(after: int, n_after: int, before: int, n_before: int) -> Change:
    """after/n_after - before/n_before with Newcombe's hybrid score interval; no interval if an n is 0."""
    if n_after <= 0 or n_before <= 0:
        return Change(None, None, None, 0.0)
    p1, p2 = after / n_after, before / n_before
    (l1, u1), (l2, u2) = wilson(after, n_after), wilson(before, n_before)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return Change(difference, low, high, 0.0)


def rate_ratio(after: int, hours_after: float, before: int, hours_before: float) -> Change:
    """(after/hours_after) / (before/hours_before), exact conditional interval; open-ended where a count is 0."""
    if hours_after <= 0 or hours_before <= 0 or after + before == 0:
        return Change(None, None, None, 1.0)
    low_p, high_p = clopper_pearson(after, after + before)
    scale = hours_before / hours_after
    low = low_p / (1 - low_p) * scale if low_p < 1 else math.inf
    high = high_p / (1 - high_p) * scale if high_p < 1 else math.inf
    estimate = (after / hours_after) / (before / hours_before) if before else math.inf
    return Change(estimate, low, high, 1.0)


def clopper_pearson(successes: int, n: int) -> tuple[float, float]:
    """Exact 95 % interval for a binomial proportion: beta quantiles (scipy, as server/heatmaps/rates.py)."""
    from scipy.special import betaincinv  # imported when first needed, as in rates.py

    tail = ALPHA / 2
    low = 0.0 if successes == 0 else float(betaincinv(successes, n - successes + 1, tail))
    high = 1.0 if successes == n else float(betaincinv(successes + 1, n - successes, 1 - tail))
    return low, high


def points(value: float) -> str:
    """A difference of shares in percentage points, signed."""
    return f"{value * 100:+.0f}"


def interval_words(change: Change) -> str:
    """'95% interval +8 to +37 points' for a difference; '95% interval 1.2 to 3.4 times' for a ratio."""
    if change.no_change == 0.0:
        return f"95% interval {points(change.low)} to {points(change.high)} points"
    high = "no upper limit" if math.isinf(change.high) else f"{change.high:.2f}"
    return f"95% interval {change.low:.2f} to {high} times"
