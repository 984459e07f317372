"""The statistics against published and hand-worked answers (no database)."""
from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest

from server.calibration import stats

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the 4 coders x 12 units example, as
# the krippendorff library's own doctest has it: alpha ordinal 0.815 (interval 0.849, nominal 0.743).
TEXTBOOK = [[1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
            [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan]]
TWO_OBSERVERS = {(2, 0, 0): 1, (0, 2, 0): 1, (0, 0, 2): 1, (1, 1, 0): 1}   # 0/0, 1/1, 2/2, 0/1
THREE_WITH_MISSING = {(3, 0, 0): 1, (0, 2, 1): 1, (0, 0, 2): 1, (1, 1, 0): 1}


def test_the_library_gives_the_published_ordinal_alpha_of_the_textbook_example():
    assert round(krippendorff.alpha(TEXTBOOK, level_of_measurement="ordinal"), 3) == 0.815
    assert round(krippendorff.alpha(TEXTBOOK, level_of_measurement="nominal"), 3) == 0.743


def test_two_observers_alpha_by_hand():
    # n_v = (3, 3, 2), n = 8; d01 = 9, d12 = 6.25, d02 = 30.25; D_o = 2·1·9 = 18; D_e = 2·300/7.
    assert stats.alpha(TWO_OBSERVERS).value == pytest.approx(1 - 18 * 7 / 600)


def test_three_observers_with_missing_ratings_alpha_by_hand():
    # o00 3, o01 1, o11 1, o12 1, o22 2 → n_v = (4, 3, 3); d01 12.25, d12 9, d02 42.25; D_o 42.5, D_e 1470/9.
    assert stats.alpha(THREE_WITH_MISSING).value == pytest.approx(1 - 42.5 * 9 / 1470)


def test_quadratic_kappa_by_hand():
    # Table 0/0, 1/1, 2/2, 0/1: observed weighted disagreement 0.25, expected 1.25.
    assert stats.weighted_kappa({(0, 0): 1, (1, 1): 1, (2, 2): 1, (0, 1): 1}).value == pytest.approx(0.8)


def test_exact_agreement_counts_conversations_where_all_gave_one_level():
    assert stats.exact_agreement(THREE_WITH_MISSING).value == pytest.approx(0.5)
    assert stats.apart_by_two({(1, 0, 1): 2, (1, 1, 0): 3}) == 2


@pytest.mark.parametrize("seed", range(5))
def test_the_vectorised_resample_alpha_equals_the_library_on_random_data(seed):
    rng = np.random.default_rng(seed)
    patterns = {}
    for _ in range(40):
        raters = int(rng.integers(2, 5))
        counts = np.bincount(rng.choice(3, size=raters, p=[0.5, 0.3, 0.2]), minlength=3)
        patterns[tuple(int(c) for c in counts)] = patterns.get(tuple(int(c) for c in counts), 0) + 1
    keys = list(patterns)
    value_counts = np.repeat(np.array(keys), [patterns[k] for k in keys], axis=0)
    expected = krippendorff.alpha(value_counts=value_counts, value_domain=[0, 1, 2], level_of_measurement="ordinal")
    coincidences = sum(stats._contribution(k) * patterns[k] for k in keys)
    assert stats._ordinal_alpha(coincidences[None, :])[0] == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("most_raters", [3, 4])
def test_the_point_alpha_is_the_library_value_to_the_last_bit(seed, most_raters):
    """Alpha sums pattern contributions instead of one row per conversation (two or three raters), or
    hands four or more to the library: either way, exactly the library's number."""
    rng = np.random.default_rng(seed)
    patterns: dict = {}
    for _ in range(int(rng.integers(50, 3000))):
        counts = np.bincount(rng.choice(3, size=int(rng.integers(2, most_raters + 1)), p=[0.5, 0.3, 0.2]), minlength=3)
        key = tuple(int(c) for c in counts)
        patterns[key] = patterns.get(key, 0) + 1
    keys = list(patterns)
    value_counts = np.repeat(np.array(keys), [patterns[k] for k in keys], axis=0)
    expected = krippendorff.alpha(value_counts=value_counts, value_domain=[0, 1, 2], level_of_measurement="ordinal")
    assert stats.alpha(patterns, resamples=0).value == float(expected)


def test_the_interval_is_deterministic_and_holds_the_value():
    patterns = {(2, 0, 0): 30, (0, 2, 0): 12, (0, 0, 2): 9, (1, 1, 0): 6, (0, 1, 1): 4, (1, 0, 1): 1}
    first, again = stats.alpha(patterns), stats.alpha(patterns)
    assert (first.low, first.high) == (again.low, again.high)
    assert first.low < first.value < first.high <= 1


def test_all_same_ratings_leave_alpha_undefined_and_say_so():
    figure = stats.alpha({(2, 0, 0): 6})
    assert figure.value is None and "undefined" in figure.reason and "not heard" in figure.reason
    assert stats.weighted_kappa({(1, 1): 5}).reason.startswith("Both observers gave one and the same level")


def test_too_few_conversations_say_so_in_words():
    figure = stats.alpha({(1, 1, 0): 2})
    assert figure.value is None and figure.n == 2 and "at least 3" in figure.reason
    assert stats.exact_agreement({}).reason and stats.exact_agreement({}).value is None


@pytest.mark.parametrize(("alpha", "reading"), [(0.8, "reliable"), (0.79, "tentative"), (0.667, "tentative"),
                                                  (0.66, "not yet"), (None, "unknown")])
def test_readings_follow_the_usual_thresholds(alpha, reading):
    assert stats.reading(alpha) == reading


def test_no_statistic_is_ever_nan():
    for patterns in ({(2, 0, 0): 3, (0, 0, 2): 0}, {(0, 3, 0): 4}, {(1, 1, 0): 1}, {}):
        figure = stats.alpha(patterns)
        assert figure.value is None or not math.isnan(figure.value)
