"""REPORT.md and its PNG plots for the reproduction harness."""
from __future__ import annotations

import platform
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from .stats import RULE, Comparison

ARM_COLOURS = dict(flops='tab:red', uniform='tab:blue', bestup3='tab:red', worstup3='tab:green',
                   flops_prior='tab:purple', search='tab:red', retrain='tab:blue',
                   on='tab:red', off='tab:blue')


@dataclass
class ClaimReport:
    """What the report says about one claim."""
    number: int
    title: str
    paper: str
    setup: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    comparisons: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    measured: str = ''

    @property
    def verdict(self) -> str:
        """The headline: the first comparison's verdict."""
        return self.comparisons[0].verdict


def md_table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(lines)


def machine_lines() -> list[str]:
    """`lscpu`'s identifying lines, and torch's device and threads."""
    import torch
    try:
        text = subprocess.run(['lscpu'], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        text = ''
    keep = ('Architecture', 'CPU(s)', 'Model name', 'Thread(s) per core', 'Core(s) per socket',
            'Socket(s)', 'L2 cache', 'L3 cache', 'Hypervisor vendor')
    lines = [ln.strip() for ln in text.splitlines() if ln.split(':')[0].strip() in keep]
    lines = lines or [f'lscpu unavailable; platform: {platform.platform()}']
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'CPU only'
    lines.append(f'torch {torch.__version__}, {torch.get_num_threads()} threads, {device}')
    return lines


# ------------------------------------------------------------------ plots
def _pyplot():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def _finish(plt, fig, ax, path: Path, *, ylabel: str, title: str,
            xlabel: Optional[str] = None) -> None:
    """Labels, legend, and the PNG every claim plot ends with."""
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_claim1(points: dict, at: Optional[float], at_values: dict, path: Path) -> None:
    """Top-1 vs MFLOPs of each arm: every run, the mean per lambda with
    std bars in both axes, and the interpolated values at the matched FLOPs."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for arm, rows in points.items():
        colour = ARM_COLOURS.get(arm)
        f = np.array([r['mflops'] for r in rows])
        a = np.array([r['top1'] for r in rows])
        lam = np.array([r['lambda'] for r in rows])
        ax.scatter(f, a, s=12, alpha=0.35, color=colour)
        means = [(f[lam == v].mean(), a[lam == v].mean(), f[lam == v].std(ddof=1) if
                  (lam == v).sum() > 1 else 0, a[lam == v].std(ddof=1) if (lam == v).sum() > 1
                  else 0) for v in sorted(set(lam))]
        mf, ma, sf, sa = map(np.array, zip(*means))
        ax.errorbar(mf, ma, xerr=sf, yerr=sa, fmt='o-', color=colour, capsize=3,
                    label=f'{arm} (mean ± std per lambda)')
        if at is not None and arm in at_values:
            ax.errorbar([at], [np.mean(at_values[arm])], yerr=[np.std(at_values[arm], ddof=1)
                        if len(at_values[arm]) > 1 else 0], fmt='*', ms=12, color=colour)
    if at is not None:
        ax.axvline(at, ls='--', color='gray', lw=1, label=f'matched FLOPs {at:.2f} M')
    _finish(plt, fig, ax, path, xlabel='final MFLOPs (at the run\'s resolution)',
            ylabel='top-1 (%)', title='Claim 1: resource-aware vs uniform L1')


def plot_bars(values: dict, seeds: Sequence[int], ylabel: str, title: str, path: Path) -> None:
    """Grouped bars: one group per seed, one bar per arm."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.6, 3.8))
    width = 0.8 / max(1, len(values))
    for k, (arm, vals) in enumerate(values.items()):
        x = np.arange(len(seeds)) + k * width
        ax.bar(x, vals, width, label=arm, color=ARM_COLOURS.get(arm))
    ax.set_xticks(np.arange(len(seeds)) + width * (len(values) - 1) / 2)
    ax.set_xticklabels([f'seed {s}' for s in seeds])
    _finish(plt, fig, ax, path, ylabel=ylabel, title=title)


def plot_fronts(mflops: Sequence[float], accs: dict, fronts: dict, path: Path) -> None:
    """Claim 4: per arm, every subnet's top-1 (mean over seeds) and the
    Pareto front of those means."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    f = np.asarray(mflops)
    for arm, acc in accs.items():
        mean = np.asarray(acc).mean(0)
        colour = ARM_COLOURS.get(arm)
        ax.scatter(f, mean, s=10, alpha=0.35, color=colour)
        idx = fronts[arm]
        ax.plot(f[idx], mean[idx], '.-', color=colour, label=f'{arm} front')
    _finish(plt, fig, ax, path, xlabel='MFLOPs',
            ylabel='top-1 after BN recalibration (%), mean over seeds',
            title='Claim 4: Pareto fronts over the same subnets')


def plot_relative_bins(centres: Sequence[float], rel: dict, path: Path) -> None:
    """Claim 4, AttentiveNAS Fig. 6 style: best top-1 per FLOPs bin minus
    the uniform arm's, mean ± std over seeds."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for arm, diffs in rel.items():
        d = np.asarray(diffs)
        std = d.std(0, ddof=1) if len(d) > 1 else np.zeros(d.shape[1])
        ax.errorbar(centres, d.mean(0), yerr=std, fmt='o-', capsize=3,
                    color=ARM_COLOURS.get(arm), label=arm)
    ax.axhline(0, color='gray', lw=1)
    _finish(plt, fig, ax, path, xlabel='MFLOPs (bin median)',
            ylabel='best top-1 in bin minus uniform (%)',
            title='Claim 4: relative to uniform sampling')


def plot_claim5(pairs: dict, path: Path) -> None:
    """Predicted vs measured top-1 of the held-out subnets, per seed."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.8, 4.4))
    lo, hi = np.inf, -np.inf
    for seed, (actual, predicted, tau) in pairs.items():
        ax.scatter(actual, predicted, s=10, alpha=0.6, label=f'seed {seed}: tau {tau:.2f}')
        lo, hi = min(lo, min(actual), min(predicted)), max(hi, max(actual), max(predicted))
    if np.isfinite(lo):
        ax.plot([lo, hi], [lo, hi], color='gray', lw=1)
    _finish(plt, fig, ax, path, xlabel='measured top-1 (%)', ylabel='predicted top-1 (%)',
            title='Claim 5: random forest on held-out subnets')


# ------------------------------------------------------------------ markdown
def comparison_rows(comparisons: Sequence[Comparison]) -> list:
    return [[c.name, f'{c.diff:+.3f}', f'{c.spread:.3f}', c.n,
             'n/a' if c.p_value != c.p_value else f'{c.p_value:.3f}', c.test, f'**{c.verdict}**']
            for c in comparisons]


def write_report(path: Path, claims: Sequence[ClaimReport], header: dict,
                 arm_rows: Sequence[Sequence], notes: str) -> Path:
    """Write REPORT.md (figures are referenced relative to its folder)."""
    out = [f'# Reproducing the papers\' claims at {header["scale"]} scale', '',
           f'Written by `{header["command"]}` on {time.strftime("%Y-%m-%d %H:%M")} '
           f'(code {header["git"]}); {header["arms_run"]} arms ran in this invocation, '
           f'{header["arms_reused"]} were read back from earlier runs of the same settings; '
           f'the arms took {header["arm_minutes"]:.1f} min in all.', '',
           f'Data: {header["data"]}; seeds {header["seeds"]}; plan: `{header["plan"]}` (sizes '
           'and settings of every arm, with the configs it names).', '',
           '## Machine', '', '```', *machine_lines(), '```', '',
           f'1-minute load average when this invocation started: {header["load"]:.2f}.']
    if header['load'] >= 1.0:
        out += ['', '**The machine was busy when the run started (load >= 1): wall times '
                '(claim 2) are less reliable than the CPU-time ratio beside them.**']
    out += ['', '## Verdict rule', '', RULE + '.', '',
            '## Summary', '',
            md_table(['claim', 'paper', 'measured here', 'verdict'],
                     [[f'{c.number}. {c.title}', c.paper, c.measured, f'**{c.verdict}**']
                      for c in claims]),
            '', '## Settings chosen before the run', '', notes.strip(), '']
    for c in claims:
        out += [f'## Claim {c.number}: {c.title}', '', f'Paper: {c.paper}', '']
        out += [f'- {line}' for line in c.setup] + ['']
        for table in c.tables:
            out += [table, '']
        out += [md_table(['comparison (paper\'s direction)', 'd', 's', 'n', 'p', 'test',
                          'verdict'], comparison_rows(c.comparisons)), '']
        out += [f'![claim {c.number}](figures/{name})' for name in c.figures] + ['']
        out += [f'- {line}' for line in c.notes] + ([''] if c.notes else [])
    out += ['## Arms', '', md_table(['arm', 'kind', 'config', 'seed', 'wall (s)',
                                     'load before', 'run', 'code'], arm_rows), '']
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('\n'.join(out))
    return path
