"""Statistics and the verdict rule of the reproduction harness (numpy/scipy).

Every claim is reduced to one number per seed (an accuracy difference, a
time ratio, a Kendall tau) and compared in the paper's direction:

* ``d`` = the measured difference, signed so that ``d > 0`` is what the
  paper says (arm A above arm B, a ratio below the paper's bound, ...);
* ``s`` = the seeds' spread: for two independently trained arms the larger
  of their two sample standard deviations (ddof=1), for paired values (two
  evaluations of the same trained net) the sample standard deviation of
  the per-seed differences, for a value against a published figure the
  sample standard deviation of the values;
* verdict: ``d > s`` reproduced in direction, ``d < -s`` not reproduced,
  ``|d| <= s`` inconclusive (the difference is within the seeds' spread);
  fewer than two seeds give no spread and are inconclusive.

A t-test p-value (Welch, paired or one-sample) is reported beside each
verdict for information; it does not enter the verdict.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

REPRODUCED = 'reproduced in direction'
NOT_REPRODUCED = 'not reproduced'
INCONCLUSIVE = 'inconclusive'
VERDICTS = (REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE)

RULE = ('d > s: reproduced in direction; d < -s: not reproduced; |d| <= s: inconclusive '
        '(d = the measured difference, positive in the paper\'s direction; s = the seeds\' '
        'spread: the larger sample std of two independent arms, the sample std of the per-seed '
        'differences for paired arms, the sample std of the values against a published figure; '
        'fewer than 2 seeds: inconclusive)')


@dataclass(frozen=True)
class Summary:
    """Mean and sample standard deviation (ddof=1; nan below 2 values)."""
    mean: float
    std: float
    n: int

    def fmt(self, digits: int = 2, unit: str = '') -> str:
        if self.n == 0:
            return 'n/a'
        std = 'n/a' if math.isnan(self.std) else f'{self.std:.{digits}f}'
        return f'{self.mean:.{digits}f} ± {std}{unit}'


def summarize(values: Sequence[float]) -> Summary:
    x = np.asarray(list(values), dtype=float)
    if x.size == 0:
        return Summary(math.nan, math.nan, 0)
    std = float(x.std(ddof=1)) if x.size > 1 else math.nan
    return Summary(float(x.mean()), std, int(x.size))


def verdict_of(diff: float, spread: float, n: int) -> str:
    """The rule of this module's docstring."""
    if n < 2 or not (math.isfinite(diff) and math.isfinite(spread)):
        return INCONCLUSIVE
    if diff > spread:
        return REPRODUCED
    if diff < -spread:
        return NOT_REPRODUCED
    return INCONCLUSIVE


@dataclass(frozen=True)
class Comparison:
    """One comparison in the paper's direction and its verdict."""
    name: str
    diff: float
    spread: float
    n: int
    p_value: float
    test: str
    verdict: str

    def fmt(self, digits: int = 2) -> str:
        p = 'n/a' if math.isnan(self.p_value) else f'{self.p_value:.3f}'
        return (f'd = {self.diff:+.{digits}f}, s = {self.spread:.{digits}f} '
                f'(n = {self.n}; {self.test} p = {p})')


def _p_value(test: str, *args, **kwargs) -> float:
    from scipy import stats
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # zero variance: scipy warns and returns nan
        return float(getattr(stats, test)(*args, **kwargs).pvalue)


def compare_arms(name: str, a: Sequence[float], b: Sequence[float],
                 a_higher: bool = True) -> Comparison:
    """Arm A against arm B, trained independently (one value per seed each);
    the paper says A is higher (``a_higher``) or lower."""
    sa, sb = summarize(a), summarize(b)
    sign = 1.0 if a_higher else -1.0
    diff = sign * (sa.mean - sb.mean)
    n = min(sa.n, sb.n)
    spread = max(sa.std, sb.std) if n > 1 else math.nan
    p = _p_value('ttest_ind', list(a), list(b), equal_var=False) if n > 1 else math.nan
    return Comparison(name, diff, spread, n, p, 'Welch t', verdict_of(diff, spread, n))


def compare_paired(name: str, a: Sequence[float], b: Sequence[float],
                   a_higher: bool = True) -> Comparison:
    """A against B measured on the same trained nets (``a[i]``, ``b[i]``: seed i)."""
    if len(a) != len(b):
        raise ValueError(f'{name}: paired values need equal lengths, got {len(a)} and {len(b)}')
    sign = 1.0 if a_higher else -1.0
    d = summarize([sign * (x - y) for x, y in zip(a, b)])
    p = _p_value('ttest_rel', list(a), list(b)) if d.n > 1 else math.nan
    return Comparison(name, d.mean, d.std, d.n, p, 'paired t', verdict_of(d.mean, d.std, d.n))


def compare_to_reference(name: str, values: Sequence[float], reference: float,
                         higher: bool = True) -> Comparison:
    """Values against a published figure: the paper's claim is ``value >=
    reference`` (``higher``) or ``value <= reference``."""
    s = summarize(values)
    diff = (s.mean - reference) if higher else (reference - s.mean)
    p = _p_value('ttest_1samp', list(values), reference) if s.n > 1 else math.nan
    return Comparison(name, diff, s.std, s.n, p, 'one-sample t', verdict_of(diff, s.std, s.n))


# ------------------------------------------------------- claim 1: matched FLOPs
def common_flops_range(curves: Sequence[tuple[Sequence[float], Sequence[float]]]
                       ) -> Optional[tuple[float, float]]:
    """The FLOPs interval every (flops, acc) curve spans, or None."""
    lo = max(min(f) for f, _ in curves)
    hi = min(max(f) for f, _ in curves)
    return (lo, hi) if lo <= hi else None


def interp_at(flops: Sequence[float], acc: Sequence[float], at: float) -> float:
    """Accuracy at ``at`` FLOPs, linear between the curve's points sorted
    by FLOPs (equal FLOPs: their mean accuracy)."""
    f, a = np.asarray(flops, float), np.asarray(acc, float)
    xs = np.unique(f)
    ys = np.array([a[f == x].mean() for x in xs])
    if not xs[0] <= at <= xs[-1]:
        raise ValueError(f'at: {at} outside the curve\'s FLOPs [{xs[0]}, {xs[-1]}]')
    return float(np.interp(at, xs, ys))


# ------------------------------------------------------- claim 4: fronts
def pareto_front(flops: Sequence[float], acc: Sequence[float]) -> list[int]:
    """Indices of the points no other point beats with fewer-or-equal FLOPs,
    sorted by FLOPs: the search's own definition (``EvolutionSearch.pareto``)."""
    from nas_backbones.samplers.pareto import pareto_front as front
    return front(flops, acc)


def flops_bins(flops: Sequence[float], bins: int) -> np.ndarray:
    """Bin of each subnet: ``bins`` groups of (nearly) equal size by FLOPs rank."""
    if not 1 <= bins <= len(flops):
        raise ValueError(f'bins: expected 1..{len(flops)}, got {bins}')
    out = np.empty(len(flops), dtype=int)
    for b, idx in enumerate(np.array_split(np.argsort(flops, kind='stable'), bins)):
        out[idx] = b
    return out


def bin_max(acc: Sequence[float], bins_of: np.ndarray) -> np.ndarray:
    """Best accuracy in each FLOPs bin (AttentiveNAS Fig. 6's statistic)."""
    a = np.asarray(acc, float)
    return np.array([a[bins_of == b].max() for b in range(bins_of.max() + 1)])


def front_score(acc: Sequence[float], bins_of: np.ndarray) -> float:
    """Mean over FLOPs bins of the bin's best accuracy: one number per front."""
    return float(bin_max(acc, bins_of).mean())


def low_bin_mean(acc: Sequence[float], bins_of: np.ndarray) -> float:
    """Mean accuracy of the subnets in the lowest-FLOPs bin."""
    a = np.asarray(acc, float)
    return float(a[bins_of == 0].mean())
