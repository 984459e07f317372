"""Agreement between observers on one trait: exact agreement, Krippendorff's alpha (ordinal) with a
bootstrap interval, and quadratic-weighted Cohen's kappa for two-observer conversations.

A co-listened conversation enters as its *pattern*: how many observers gave level 0, 1 and 2
(c0, c1, c2). Alpha depends only on the multiset of patterns, and there are few distinct ones (six
for two observers, ten for three), so the database hands over pattern counts and a bootstrap
resample is one multinomial draw over patterns: a thousand resamples cost a few matrix products.
The point value is the `krippendorff` library's; the vectorised resamples follow its formulas and a
test holds the two equal.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import krippendorff
from krippendorff import krippendorff as _library  # its steps after the coincidence matrix
import numpy as np

LEVELS = (0, 1, 2)
Pattern = tuple[int, int, int]  # observers at level 0, 1, 2
RELIABLE, TENTATIVE = 0.8, 0.667
RESAMPLES = 1000
SEED = 17  # the same data always gives the same interval
MIN_ALPHA_UNITS = 3  # below this, alpha is not worth a number


@dataclass(frozen=True)
class Figure:
    """A statistic with its n: `value` is None when it is undefined, and `reason` then says why in words."""

    n: int
    value: float | None = None
    low: float | None = None
    high: float | None = None
    reason: str | None = None


def reading(alpha: float | None) -> str:
    """The usual reading of alpha: reliable from 0.8, tentative from 0.667, not yet below."""
    if alpha is None:
        return "unknown"
    return "reliable" if alpha >= RELIABLE else "tentative" if alpha >= TENTATIVE else "not yet"


def exact_agreement(patterns: Mapping[Pattern, int]) -> Figure:
    """The share of conversations in which every observer gave the same level."""
    n = sum(patterns.values())
    if n == 0:
        return Figure(0, reason="No co-listened conversation rated this trait.")
    agreed = sum(count for pattern, count in patterns.items() if sum(1 for c in pattern if c) == 1)
    return Figure(n, agreed / n)


def apart_by_two(patterns: Mapping[Pattern, int]) -> int:
    """Conversations in which one observer heard the trait strong and another not at all."""
    return sum(count for (c0, _c1, c2), count in patterns.items() if c0 and c2)


def _contribution(pattern: Pattern) -> np.ndarray:
    """The unit's share of the coincidence matrix: c_i (c_k - [i=k]) / (m - 1), flattened."""
    counts = np.array(pattern, dtype=float)
    pairs = np.outer(counts, counts) - np.diag(counts)
    return (pairs / (counts.sum() - 1)).reshape(9)


_contribution_cache: dict[Pattern, np.ndarray] = {}


def _contribution_of(pattern: Pattern) -> np.ndarray:
    """_contribution, remembered: there are only a few dozen patterns."""
    found = _contribution_cache.get(pattern)
    if found is None:
        found = _contribution_cache[pattern] = _contribution(pattern)
    return found


def _ordinal_alpha(coincidences: np.ndarray) -> np.ndarray:
    """Alpha for each row of flattened 3x3 coincidence matrices (NaN where undefined), with the ordinal
    distance of Krippendorff (and of the library) for three ordered levels."""
    o = coincidences.reshape(-1, 3, 3)
    n_v = o.sum(axis=1)
    n = n_v.sum(axis=1)
    n0, n1, n2 = n_v[:, 0], n_v[:, 1], n_v[:, 2]
    d01, d12, d02 = ((n0 + n1) / 2) ** 2, ((n1 + n2) / 2) ** 2, (n1 + (n0 + n2) / 2) ** 2
    observed = 2 * (o[:, 0, 1] * d01 + o[:, 1, 2] * d12 + o[:, 0, 2] * d02)
    expected = 2 * (n0 * n1 * d01 + n1 * n2 * d12 + n0 * n2 * d02) / np.maximum(n - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - observed / expected, np.nan)


_DOMAIN = np.array(LEVELS)
# The library's private steps, used as they are where this release has them; otherwise its public call.
_LIBRARY_STEPS = all(hasattr(_library, name) for name in ("_random_coincidences", "_distances", "_ordinal_metric"))


def _library_alpha(coincidences: np.ndarray) -> float:
    """The library's ordinal alpha from a flattened coincidence matrix, by its own steps in its own order.

    `krippendorff.alpha` builds the matrix from one row per conversation, which for a district's year is
    tens of thousands of rows per trait; the weighted sum of the few patterns' contributions is the same
    matrix (exactly so with two or three observers: their contributions are whole or half numbers; `alpha`
    leaves four or more to the library), and the rest is the library's arithmetic, so the value is the
    library's to the last bit (tested)."""
    o = coincidences.reshape(3, 3)
    n_v = o.sum(axis=0)
    e = _library._random_coincidences(n_v)
    d = _library._distances(_DOMAIN, _library._ordinal_metric, n_v)
    return float(1 - (o * d).sum() / (e * d).sum())


def alpha(patterns: Mapping[Pattern, int], resamples: int = RESAMPLES, seed: int = SEED) -> Figure:
    """Krippendorff's alpha (ordinal) with a percentile bootstrap 95 % interval over conversations."""
    used = {p: c for p, c in patterns.items() if c > 0 and sum(p) >= 2}
    n = sum(used.values())
    if n < MIN_ALPHA_UNITS:
        return Figure(n, reason=f"Too few co-listened conversations for alpha (n {n}; it needs at least "
                                f"{MIN_ALPHA_UNITS}).")
    keys = list(used)
    counts = np.array([used[k] for k in keys], dtype=float)
    totals = counts @ np.array(keys, dtype=float)
    if (totals > 0).sum() < 2:
        level = ("not heard", "heard", "strong")[int(np.argmax(totals))]
        return Figure(n, reason=f"Everyone rated it {level} every time: with no variation, alpha is undefined "
                                "(nothing to tell agreement from chance).")
    contributions = np.array([_contribution_of(k) for k in keys])
    if _LIBRARY_STEPS and all(sum(k) <= 3 for k in keys):
        value = _library_alpha(counts @ contributions)
    else:  # a third in the contributions (or no private steps): the library's own sum over conversations
        value = float(krippendorff.alpha(value_counts=np.repeat(np.array(keys, dtype=float), counts.astype(int), axis=0),
                                         value_domain=list(LEVELS), level_of_measurement="ordinal"))
    if resamples == 0:
        return Figure(n, value)
    weights = counts / n
    draws = np.random.default_rng(seed).multinomial(n, weights, size=resamples)
    boot = _ordinal_alpha(draws @ contributions)
    boot = boot[~np.isnan(boot)]
    if len(boot) < resamples * 0.9:
        return Figure(n, value, reason="Too little variation for an interval: many resamples had every rating alike.")
    low, high = np.percentile(boot, [2.5, 97.5])
    return Figure(n, value, float(low), float(high))


def alphas_without_interval(pattern_sets: list[Mapping[Pattern, int]]) -> list[Figure]:
    """Alpha for many pattern sets at once (the months of a page), by the same formulas as the bootstrap:
    one matrix product instead of a library call per month and trait. Tested equal to the library."""
    found: list[Figure | None] = []
    rows = []
    for patterns in pattern_sets:
        used = {p: c for p, c in patterns.items() if c > 0 and sum(p) >= 2}
        n = sum(used.values())
        if n < MIN_ALPHA_UNITS:
            found.append(Figure(n, reason=f"Too few co-listened conversations for alpha (n {n}; it needs at least "
                                          f"{MIN_ALPHA_UNITS})."))
            continue
        found.append(None)
        rows.append((len(found) - 1, n, np.array(list(used.values()), dtype=float)
                     @ np.array([_contribution_of(p) for p in used])))
    if rows:
        values = _ordinal_alpha(np.array([row[2] for row in rows]))
        for (index, n, _), value in zip(rows, values):
            found[index] = Figure(n, float(value)) if not np.isnan(value) else Figure(
                n, reason="Everyone gave the same level: with no variation, alpha is undefined.")
    return found  # type: ignore[return-value]


def weighted_kappa(pairs: Mapping[tuple[int, int], int]) -> Figure:
    """Cohen's kappa with quadratic weights, for conversations heard by exactly two observers: the
    counted log's level against the other's. Quadratic weights make a two-level gap count four times
    a one-level gap, as the ordinal alpha does."""
    return weighted_kappas([pairs])[0]


WEIGHTS = np.array([[(i - j) ** 2 / 4 for j in LEVELS] for i in LEVELS])


def weighted_kappas(pair_sets: list[Mapping[tuple[int, int], int]]) -> list[Figure]:
    """weighted_kappa for many tables at once (a district page has one per school and trait)."""
    tables = np.zeros((len(pair_sets), 3, 3))
    for index, pairs in enumerate(pair_sets):
        for (first, second), count in pairs.items():
            tables[index, first, second] += count
    n = tables.sum(axis=(1, 2))
    expected = tables.sum(axis=2)[:, :, None] * tables.sum(axis=1)[:, None, :] / np.maximum(n, 1)[:, None, None]
    chance = (WEIGHTS * expected).sum(axis=(1, 2))
    observed = (WEIGHTS * tables).sum(axis=(1, 2))
    found = []
    for count, seen, by_chance in zip(n.astype(int).tolist(), observed.tolist(), chance.tolist()):
        if count < MIN_ALPHA_UNITS:
            found.append(Figure(count, reason=f"Too few two-observer conversations for kappa (n {count}; it needs at "
                                              f"least {MIN_ALPHA_UNITS})."))
        elif by_chance == 0:
            found.append(Figure(count, reason="Both observers gave one and the same level every time: kappa is undefined."))
        else:
            found.append(Figure(count, float(1 - seen / by_chance)))
    return found
