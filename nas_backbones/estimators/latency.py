"""Measured latency tables (LUTs) and a torch-free latency estimator.

A table holds the measured latency (ms, median of repeated timings) of every
distinct layer configuration a subnet of a space can contain, on one device
with one backend; ``tools/analysis/build_latency_lut.py`` measures it (with
torch, ``ops.latency_probe`` builds the module behind each key). Predicting a
subnet's latency is a sum of table entries plus a per-network constant fitted
on a few nets measured end to end (``offset_ms``): pure Python, no torch.

The keys (``estimators.latency_keys``) come from the block configs the FLOPs
counter and the static builders read (``arch.attentive_layout`` /
``attentive_stage_blocks`` / ``atomnas_block_configs``), so a key always names
a block the static net builds. Key = ``kind:v1:v2:...`` with the fields of
``KEY_FIELDS[kind]``:

* AttentiveNAS: ``stem``, one ``mbconv`` entry per distinct block shape
  (stage x in/out width x kernel x expand x input size x stride, SE), ``head``
  (the 1x1 conv) and ``classifier`` (pool, pre-logits linear, fc).
* AtomNAS: ``stem``, ``head``, ``classifier`` and, for the atomic blocks,
  curves over the atom count (key ``kind:...@atoms``, measured at a grid of
  atom counts and interpolated linearly): ``atom_expand`` (1x1 expansion of
  all atoms), ``atom_dw`` (one kernel size's dw branch), ``atom_cat`` (joining
  the branches, more than one live) and ``atom_tail`` (BN, act, SE, projection
  and residual of all atoms). A block's latency is the sum of its terms.
"""
from __future__ import annotations

import bisect
import json
import os
import statistics
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from ..arch import AtomNetArch, AttentiveArch, AttentiveSpace, arch_from_dict, atomnas_block_configs
from ..arch.common import existing_file
from .latency_keys import (CURVE_KINDS, KEY_FIELDS, atom_grid, atomnas_block_terms,  # noqa: F401
                           atomnas_fixed_keys, atomnas_space_keys, attentive_keys, attentive_parts,
                           attentive_space_keys, make_key, parse_key, sample_atomnas_subnet,
                           stage_keys)

LUT_FORMAT = 'nas_backbones.latency_lut'
LUT_VERSION = 1
SPACES = ('attentivenas', 'atomnas')
# Settings that must agree between a table and whatever is measured against it.
SETTING_KEYS = ('device', 'backend', 'batch', 'threads', 'channels_last', 'clock', 'warmup',
                'repeats', 'num_classes')


# ------------------------------------------------------------------- the table
class LatencyTable:
    """A measured table: header (space, settings, environment), entries (ms)
    and the fitted per-network constant.

    Args:
        space (str): 'attentivenas' or 'atomnas'.
        space_config (dict): The AttentiveNAS ``supernet_config`` or the
            AtomNAS supernet arch (``AtomNetArch.to_dict()``) it covers.
        settings (dict): How it was measured (``SETTING_KEYS``).
        environment (dict): Machine and library versions.
        entries (dict): key -> ms: the smallest of its rounds' medians.
        offset_ms (float): Fitted per-network constant. Defaults to 0.
        calibration (list): The end-to-end measurements it was fitted on.
        rounds (dict): key -> the median of each measuring round (rounds
            are passes over the whole table, minutes apart: a burst of other
            load inflates one round of an entry, not all).
    """

    def __init__(self, space: str, space_config: dict, settings: dict, environment: dict,
                 entries: Optional[dict] = None, offset_ms: float = 0.0,
                 calibration: Optional[list] = None, rounds: Optional[dict] = None,
                 path: Optional[Path] = None):
        if space not in SPACES:
            raise ValueError(f'space: {space!r} not in {SPACES}')
        missing = [k for k in SETTING_KEYS if k not in settings]
        if missing:
            raise ValueError(f'settings: missing field(s) {missing}')
        self.space, self.space_config = space, space_config
        self.settings, self.environment = dict(settings), dict(environment)
        self.entries = {k: float(v) for k, v in (entries or {}).items()}
        self.offset_ms, self.calibration = float(offset_ms), list(calibration or [])
        self.rounds = {k: [float(x) for x in v] for k, v in (rounds or {}).items()}
        self.path = path

    def add_round(self, key: str, ms: float) -> None:
        """Record one round's median of ``key``; the entry is the smallest."""
        self.rounds.setdefault(key, []).append(float(ms))
        self.entries[key] = min(self.rounds[key])

    # -------------------------------------------------------------- spaces
    def attentive_space(self) -> AttentiveSpace:
        if self.space != 'attentivenas':
            raise ValueError(f'latency table {self.where}: built for the {self.space} space, '
                             f'not AttentiveNAS')
        return AttentiveSpace.from_dict(self.space_config)

    def atomnas_supernet(self) -> AtomNetArch:
        if self.space != 'atomnas':
            raise ValueError(f'latency table {self.where}: built for the {self.space} space, '
                             f'not AtomNAS')
        return arch_from_dict(self.space_config)

    @property
    def where(self) -> str:
        return str(self.path) if self.path else '(in memory)'

    # ----------------------------------------------------------------- I/O
    def to_dict(self) -> dict:
        return {'format': LUT_FORMAT, 'version': LUT_VERSION, 'space': self.space,
                'space_config': self.space_config, 'settings': self.settings,
                'environment': self.environment, 'offset_ms': self.offset_ms,
                'calibration': self.calibration, 'entries': self.entries, 'rounds': self.rounds}

    def save(self, path: Union[str, Path]) -> Path:
        """Write atomically (a temporary file renamed over the old one), so an
        interrupted build never leaves a truncated table."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + '.tmp')
        tmp.write_text(json.dumps(self.to_dict(), indent=1) + '\n')
        os.replace(tmp, path)
        self.path = path
        return path

    @classmethod
    def load(cls, path: Union[str, Path]) -> 'LatencyTable':
        path = existing_file(path, 'latency table',
                             f'python tools/analysis/build_latency_lut.py --out {path} ...')
        data = json.loads(path.read_text())
        if not isinstance(data, dict) or data.get('format') != LUT_FORMAT:
            raise ValueError(f'{path}: format: not a latency table (expected {LUT_FORMAT!r})')
        if data.get('version') != LUT_VERSION:
            raise ValueError(f'{path}: version: {data.get("version")!r}, this code reads '
                             f'{LUT_VERSION}')
        for field in ('space', 'space_config', 'settings', 'entries'):
            if field not in data:
                raise ValueError(f'{path}: missing field {field!r}')
        try:
            return cls(data['space'], data['space_config'], data['settings'],
                       data.get('environment', {}), data['entries'], data.get('offset_ms', 0.0),
                       data.get('calibration'), data.get('rounds'), path)
        except ValueError as e:
            raise ValueError(f'{path}: {e}') from None


# ---------------------------------------------------------------- estimator
class LatencyEstimator:
    """Predict a subnet's latency (ms) from a ``LatencyTable``: the sum of
    its blocks' entries plus the table's fitted constant. Torch-free; stage
    (AttentiveNAS) and block (AtomNAS) sums are cached, as the FLOPs counter
    caches its stage totals (speed: benchmarks/RESULTS.md).

    Args:
        table (str | Path | LatencyTable): The table or its file.
    """

    def __init__(self, table: Union[str, Path, LatencyTable]):
        self.table = table if isinstance(table, LatencyTable) else LatencyTable.load(table)
        self.entries = self.table.entries
        self._stage_cache: dict = {}
        self._curves: dict[str, tuple[list[int], list[float]]] = {}
        for key, ms in self.entries.items():
            base, sep, atoms = key.partition('@')
            if sep:
                self._curves.setdefault(base, ([], []))
                self._curves[base][0].append(int(atoms))
                self._curves[base][1].append(ms)
        for base, (xs, ys) in self._curves.items():
            order = sorted(range(len(xs)), key=xs.__getitem__)
            self._curves[base] = ([xs[i] for i in order], [ys[i] for i in order])
        self._space = (self.table.attentive_space() if self.table.space == 'attentivenas'
                       else None)

    @classmethod
    def load(cls, path: Union[str, Path]) -> 'LatencyEstimator':
        return cls(path)

    @property
    def offset_ms(self) -> float:
        return self.table.offset_ms

    def _missing(self, key: str, arch) -> KeyError:
        name = getattr(arch, 'name', '') or type(arch).__name__
        return KeyError(f'latency table {self.table.where}: no entry {key!r} (needed by {name}); '
                        f'the table covers another space or setting: rebuild it with '
                        f'tools/analysis/build_latency_lut.py for this space')

    def entry(self, key: str, arch=None) -> float:
        try:
            return self.entries[key]
        except KeyError:
            raise self._missing(key, arch) from None

    def curve(self, base: str, atoms: int, arch=None) -> float:
        """Latency of a curve term at ``atoms``, linear between grid points."""
        try:
            xs, ys = self._curves[base]
        except KeyError:
            raise self._missing(f'{base}@{atoms}', arch) from None
        if not xs[0] <= atoms <= xs[-1]:
            raise ValueError(f'latency table {self.table.where}: {base!r} measured for '
                             f'{xs[0]}-{xs[-1]} atoms, asked for {atoms}')
        i = bisect.bisect_left(xs, atoms)
        if xs[i] == atoms:
            return ys[i]
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        return y0 + (y1 - y0) * (atoms - x0) / (x1 - x0)

    def curve_slope(self, base: str) -> float:
        """ms per atom: least-squares slope over the curve's points (robust
        to timing noise between neighbouring points); never negative."""
        xs, ys = self._curves[base]
        if len(xs) < 2:
            return 0.0
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        var = sum((x - mx) ** 2 for x in xs)
        return max(0.0, sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var)

    # ------------------------------------------------------------ predict
    def block_sum(self, arch: Union[AttentiveArch, AtomNetArch]) -> float:
        """Sum of the table entries of ``arch`` (ms, without the constant)."""
        if isinstance(arch, AttentiveArch):
            if self._space is None:
                raise ValueError(f'latency table {self.table.where}: built for AtomNAS, got an '
                                 f'AttentiveNAS arch')
            fixed, stages = attentive_parts(arch, self._space)
            total = sum(self.entry(k, arch) for k in fixed)
            cache = self._stage_cache
            for st in stages:
                v = cache.get(st)
                if v is None:
                    v = cache[st] = sum(self.entry(k, arch) for k in stage_keys(st))
                total += v
            return total
        if isinstance(arch, AtomNetArch):
            if self._space is not None:
                raise ValueError(f'latency table {self.table.where}: built for AttentiveNAS, '
                                 f'got an AtomNAS arch')
            total = sum(self.entry(k, arch) for k in atomnas_fixed_keys(arch))
            cache = self._stage_cache
            for terms in atomnas_block_terms(arch):
                v = cache.get(terms)
                if v is None:
                    v = cache[terms] = sum(self.curve(base, a, arch) for base, a in terms)
                total += v
            return total
        raise TypeError(f'arch: expected AttentiveArch or AtomNetArch, got {type(arch).__name__}')

    def predict(self, arch: Union[AttentiveArch, AtomNetArch]) -> float:
        """Predicted latency of ``arch`` in ms."""
        return self.block_sum(arch) + self.table.offset_ms

    def predict_many(self, archs: Iterable) -> list[float]:
        return [self.predict(a) for a in archs]

    def atom_costs(self, arch: AtomNetArch) -> dict[int, dict[int, float]]:
        """Per block with an expansion, the marginal latency (ms) of one atom
        of each kernel size: the slopes of the terms one atom adds to (its
        expansion channel, dw filter, join and BN/SE/projection column)."""
        out = {}
        for b, terms in zip(atomnas_block_configs(arch), atomnas_block_terms(arch)):
            if not b.has_expansion or not terms:
                continue
            shared = sum(self.curve_slope(base) for base, _ in terms
                         if not base.startswith('atom_dw:'))
            out[b.index] = {k: shared + self.curve_slope(make_key('atom_dw', k, b.size, b.stride))
                            for k, _ in b.branches}
        return out


def fit_offset(measured: Sequence[float], block_sums: Sequence[float]) -> float:
    """The per-network constant: median of (measured - sum of entries)."""
    if not measured or len(measured) != len(block_sums):
        raise ValueError('fit_offset: needs as many measurements as block sums (>= 1)')
    return float(statistics.median(m - s for m, s in zip(measured, block_sums)))
