"""Latency-table keys: which layer configurations a subnet of a space holds
(torch-free). Derived from the block configs of ``arch.blocks`` that the
static builders and the FLOPs counter read too, so a key always names a
block the static net builds; ``ops.latency_probe`` builds the module behind
each key.

Key = ``kind:v1:v2:...`` with the fields of ``KEY_FIELDS[kind]``; AtomNAS
curve terms add ``@atoms`` (measured at a grid of atom counts).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

from ..arch import (AtomNetArch, AttentiveArch, AttentiveSpace, StageArgs, atomnas_block_configs,
                    attentive_head_channels, attentive_layout, attentive_stage_blocks, conv_out)
from ..arch.blocks import ATOMNAS_STEM_STRIDE

KEY_FIELDS = {
    'stem': ('cout', 'hw', 'stride', 'act'),
    'mbconv': ('cin', 'mid', 'cout', 'kernel', 'stride', 'hw', 'se_hidden', 'expansion'),
    'head': ('cin', 'cout', 'hw', 'act'),
    'classifier': ('cin', 'mid', 'classes', 'hw', 'act'),
    'atom_expand': ('cin', 'hw', 'act'),
    'atom_dw': ('kernel', 'hw', 'stride'),
    'atom_cat': ('hw', 'branches'),
    'atom_tail': ('cout', 'hw', 'residual', 'se_hidden', 'act'),
}
CURVE_KINDS = ('atom_expand', 'atom_dw', 'atom_cat', 'atom_tail')


def make_key(kind: str, *values, atoms: Optional[int] = None) -> str:
    if len(values) != len(KEY_FIELDS[kind]):
        raise ValueError(f'{kind}: expected fields {KEY_FIELDS[kind]}, got {values}')
    key = ':'.join([kind, *(str(int(v)) if isinstance(v, bool) else str(v) for v in values)])
    return key if atoms is None else f'{key}@{atoms}'


def parse_key(key: str) -> tuple[str, dict, Optional[int]]:
    """``'mbconv:16:64:...'`` -> ('mbconv', {'cin': 16, ...}, None)."""
    base, _, atoms = key.partition('@')
    kind, *values = base.split(':')
    if kind not in KEY_FIELDS or len(values) != len(KEY_FIELDS[kind]):
        raise ValueError(f'latency table key {key!r}: unknown kind or wrong number of fields '
                         f'(kinds: {sorted(KEY_FIELDS)})')
    fields = {f: (int(v) if v.lstrip('-').isdigit() else v)
              for f, v in zip(KEY_FIELDS[kind], values)}
    return kind, fields, (int(atoms) if atoms else None)


def atom_grid(max_atoms: int, points: int = 12, minimum: int = 1) -> list[int]:
    """Atom counts a curve is measured at: ``minimum``, ``max_atoms`` and
    roughly geometric steps between, rounded to multiples of 8 above 12 (SIMD
    widths)."""
    if not 1 <= minimum <= max_atoms:
        raise ValueError(f'max_atoms: must be >= {max(minimum, 1)}, got {max_atoms}')
    values = {minimum, max_atoms}
    for i in range(1, max(points - 1, 1)):
        v = max_atoms ** (i / (points - 1))
        values.add(min(max_atoms, max(minimum, int(round(v / 8)) * 8 if v > 12 else int(round(v)))))
    return sorted(values)


# --------------------------------------------------------------- keys of archs
def attentive_parts(arch: AttentiveArch, space: Optional[AttentiveSpace] = None
                    ) -> tuple[list[str], list[tuple]]:
    """(fixed keys, stage args) of a subnet: stem/head/classifier keys, and
    the ``StageArgs`` whose blocks ``stage_keys`` lists."""
    layout = attentive_layout(arch, space)
    cout, res, stride = layout.stem
    cin, feat, size = layout.head
    fixed = [make_key('stem', cout, res, stride, arch.act),
             make_key('head', cin, feat, size, arch.act),
             make_key('classifier', *layout.classifier, size, arch.act)]
    return fixed, list(layout.stages)


def stage_keys(stage: StageArgs) -> list[str]:
    return [make_key('mbconv', b.cin, b.mid, b.cout, b.kernel, b.stride, b.size, b.se_hidden,
                     b.has_expansion) for b in attentive_stage_blocks(stage)]


def attentive_keys(arch: AttentiveArch, space: Optional[AttentiveSpace] = None) -> list[str]:
    """Every table key a subnet's latency sums, in network order."""
    fixed, stages = attentive_parts(arch, space)
    return [fixed[0], *(k for st in stages for k in stage_keys(st)), *fixed[1:]]


def attentive_space_keys(space: AttentiveSpace, num_classes: int = 1000) -> list[str]:
    """Every distinct key a subnet of ``space`` can contain (what a table
    for the space measures). Depth only adds stride-1 ``cout -> cout``
    blocks, so each stage's deepest choice lists all of its block shapes."""
    keys = {}
    for res in space.resolutions:
        size = conv_out(res, space.stem_stride)
        for w in space.stem_widths:
            keys[make_key('stem', w, res, space.stem_stride, AttentiveArch.act)] = None
        cins = space.stem_widths
        for st in space.stages:
            for cin in cins:
                for cout in st.widths:
                    for k in st.kernels:
                        for t in st.expands:
                            args = StageArgs(cin, cout, max(st.depths), k, t, tuple(st.expands),
                                             st.stride, st.se, size)
                            keys.update(dict.fromkeys(stage_keys(args)))
            cins, size = st.widths, conv_out(size, st.stride)
        for cin in cins:
            feat = attentive_head_channels(cin)
            keys[make_key('head', cin, feat, size, AttentiveArch.act)] = None
            for mid in space.last_widths:
                keys[make_key('classifier', feat, mid, num_classes, size, AttentiveArch.act)] = None
    return list(keys)


def atomnas_fixed_keys(arch: AtomNetArch) -> list[str]:
    blocks = atomnas_block_configs(arch)
    last = blocks[-1] if blocks else None
    cin = last.cout if last else arch.stem_channels
    size = last.hout if last else conv_out(arch.resolution, ATOMNAS_STEM_STRIDE)
    return [make_key('stem', arch.stem_channels, arch.resolution, ATOMNAS_STEM_STRIDE, arch.act),
            make_key('head', cin, arch.last_channels, size, arch.act),
            make_key('classifier', arch.last_channels, 0, arch.num_classes, size, arch.act)]


@lru_cache(maxsize=65536)
def _block_bases(cin: int, cout: int, size: int, stride: int, kernels: tuple[int, ...],
                 has_expansion: bool, se_hidden: int, act: str) -> tuple:
    # The keys of a block's terms depend on its shape and live kernels, not
    # on the atom counts: cached, so predicting a new shrunk net is cheap.
    hout = conv_out(size, stride)
    return (make_key('atom_expand', cin, size, act) if has_expansion else None,
            tuple(make_key('atom_dw', k, size, stride) for k in kernels),
            make_key('atom_cat', hout, len(kernels)) if len(kernels) > 1 else None,
            make_key('atom_tail', cout, hout, stride == 1 and cin == cout, se_hidden, act))


def _block_terms(b, act: str) -> tuple[tuple[str, int], ...]:
    mid = b.mid
    if mid == 0:  # all atoms gone: the block is the identity
        return ()
    expand, dws, cat, tail = _block_bases(b.cin, b.cout, b.size, b.stride,
                                          tuple(k for k, _ in b.branches), b.has_expansion,
                                          b.se_hidden, act)
    terms = [(expand, mid)] if expand else []
    terms += [(key, a) for key, (_, a) in zip(dws, b.branches)]
    if cat:
        terms.append((cat, mid))
    terms.append((tail, mid))
    return tuple(terms)


def atomnas_block_terms(arch: AtomNetArch) -> list[tuple[tuple[str, int], ...]]:
    """Per block, its curve terms ``(key without '@', atoms)``; empty for a
    block whose atoms are all gone (it is the identity)."""
    return [_block_terms(b, arch.act) for b in atomnas_block_configs(arch)]


def atomnas_space_keys(supernet: AtomNetArch, points: int = 12) -> list[str]:
    """Every key (curve points included) the shrunk nets of ``supernet`` need:
    each term of a searchable block on a grid from 1 atom to the supernet's
    count, every join of 2..n branches; the fixed first block at its count."""
    keys = dict.fromkeys(atomnas_fixed_keys(supernet))
    for b in atomnas_block_configs(supernet):
        if not b.has_expansion:  # never searched: one point per term
            keys.update(dict.fromkeys(f'{key}@{a}' for key, a in _block_terms(b, supernet.act)))
            continue
        curves = [(key, a, 1) for key, a in _block_terms(b, supernet.act)
                  if not key.startswith('atom_cat:')]
        # Joining n branches: at least one atom each.
        curves += [(make_key('atom_cat', b.hout, n), b.mid, n)
                   for n in range(2, len(b.branches) + 1)]
        for key, top, low in curves:
            keys.update(dict.fromkeys(f'{key}@{a}' for a in atom_grid(top, points, low)))
    return list(keys)


def sample_atomnas_subnet(supernet: AtomNetArch, rng, drop_prob: float = 0.2) -> AtomNetArch:
    """A random shrunk net of ``supernet``: each searchable branch keeps a
    uniform number of its atoms, or none with ``drop_prob``; a block left
    without atoms keeps one when it has no residual (it must compute)."""
    atoms = []
    for b in atomnas_block_configs(supernet):
        if not b.has_expansion:
            atoms.append(tuple(a for _, a in b.branches))
            continue
        row = [0 if rng.random() < drop_prob else rng.randint(1, a) for _, a in b.branches]
        if sum(row) == 0 and not b.has_residual:
            row[rng.randrange(len(row))] = 1
        atoms.append(tuple(row))
    return supernet.with_atoms(atoms).replace(name='')
