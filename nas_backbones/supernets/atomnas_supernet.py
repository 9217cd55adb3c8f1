"""AtomNAS supernet: the static AtomNAS net with every atom present, plus what
resource-aware atom selection and dynamic shrinkage need
(docs/methods/atomnas.md). Imports torch only.

The supernet *is* a static net (``ops.build_atomnas_net`` of the full arch
from ``arch.atomnas_supernet_arch``, with ``AtomicTrainingBlock`` blocks), so
a shrunk supernet and the static net of its ``current_arch()`` are the same
computation with the same module names (``backbone.*``, ``head.*``): export is a state-dict copy. The
supernet does not decide which atoms die (``ops.atom_shrink.dead_atom_masks``
and the shrink hook do) and does not count FLOPs itself (the estimator does,
from ``current_arch()``).
"""
from __future__ import annotations

from typing import NamedTuple, Optional, Sequence

import torch
import torch.nn as nn

from ..arch import ATOMNAS_SUPERNET_SETTING, AtomNetArch, atom_costs, atomnas_supernet_arch
from ..estimators.flops import Cost, count_cost
from ..estimators.latency import LatencyEstimator
from ..ops.atom_shrink import ParamMap, drop_atoms, keep_first, resolve_keep_mask, slice_optimizer_state
from ..ops.classifier import ClassifierHead, head_kwargs
from ..ops.static_net import build_atomnas_net
from .atomic_training_block import AtomicTrainingBlock


# c_i of the L1 penalty (AtomNASSupernet's penalty_costs).
PENALTY_COSTS = ('flops', 'latency', 'uniform')


def load_latency_table(path: str, supernet: AtomNetArch) -> LatencyEstimator:
    """The estimator of an AtomNAS table measured for ``supernet``."""
    est = LatencyEstimator.load(path)
    measured = est.table.atomnas_supernet()
    if measured.replace(name='', dropout=0.0) != supernet.replace(name='', dropout=0.0):
        raise ValueError(f'latency_lut: {path} was measured for another supernet (stem '
                         f'{measured.stem_channels}, {len(measured.blocks)} blocks, '
                         f'{measured.resolution} px, act {measured.act}, se {measured.se_ratio}, '
                         f'{measured.num_classes} classes); build it for this one with '
                         f'tools/analysis/build_latency_lut.py --space atomnas --config CONFIG')
    return est


class ShrinkResult(NamedTuple):
    """What one shrink did: atoms removed, and parameters replaced/removed."""
    removed_atoms: int
    params: ParamMap


class AtomNASSupernet(nn.Module):
    """MobileNetV2-like supernet of atomic blocks: stem -> blocks -> 1x1 head
    conv -> global pool -> dropout -> fc.

    Each searchable block (all but the first, t=1) has ``t * Cin`` atoms per
    dw kernel size. The importance alpha of an atom is its ``bn_dw`` gamma.

    Args:
        stem_channels (int): Stem width; 32, or 16 for the AtomNAS-A run.
            Defaults to 32.
        kernel_sizes (Sequence[int]): dw kernel of each branch. Defaults to
            (3, 5, 7).
        setting (Sequence[tuple]): Stage table ``(t, c, n, s)``. Defaults to
            the published supernet table (a smaller table gives a CPU-sized
            demo).
        num_classes (int): Defaults to 1000.
        last_channels (int): Head conv width. Defaults to 1280.
        act (str): 'relu' (A/B/C) or 'swish'. Defaults to 'relu'.
        se_ratio (float): SE bottleneck / block input; 0 = no SE. Defaults to 0.
        resolution (int): Input size the atom costs and FLOPs refer to.
            Defaults to 224.
        dropout (float): Dropout before the classifier. Defaults to 0.2.
        bn_momentum (float): Defaults to 0.01 (the authors' AtomNAS setting).
        bn_eps (float): Defaults to 1e-3 (the authors' AtomNAS setting).
        weight_init (str): ``ops.init_weights`` scheme of every layer.
            Defaults to 'mnas', the authors' init (``reset_param_method:
            mnas``, meijieru/AtomNAS apps/mobilenet/default_mnas_scheduler.yml
            L54-55); 'mobilenet' is torchvision's MobileNet init.
        penalty_costs (str): The c_i of the L1 penalty ``sum_i c_i |alpha_i|``.
            'flops' (published): the atom's FLOPs over the mean atom FLOPs of
            the supernet (resource-aware). 'latency': each atom's marginal
            latency from ``latency_lut`` over its mean (the paper allows any
            additive resource). 'uniform': c_i = 1 for every atom, the plain
            L1 on BN gammas of network slimming (Liu et al. 2017), AtomNAS
            Table 2's baseline; lambda weighs the same total in all three
            because the normalised costs average 1. Defaults to 'flops'.
        latency_lut (str, optional): Latency table of this supernet
            (``tools/analysis/build_latency_lut.py --space atomnas``); with
            it the predicted latency is also reported. Defaults to None.
    """

    def __init__(self, stem_channels: int = 32, kernel_sizes: Sequence[int] = (3, 5, 7),
                 setting: Sequence[Sequence[int]] = ATOMNAS_SUPERNET_SETTING,
                 num_classes: int = 1000, last_channels: int = 1280, act: str = 'relu',
                 se_ratio: float = 0.0, resolution: int = 224, dropout: float = 0.2,
                 bn_momentum: float = 0.01, bn_eps: float = 1e-3, weight_init: str = 'mnas',
                 penalty_costs: str = 'flops', latency_lut: Optional[str] = None):
        super().__init__()
        if penalty_costs not in PENALTY_COSTS:
            raise ValueError(f'penalty_costs: expected one of {PENALTY_COSTS}, got '
                             f'{penalty_costs!r}')
        if penalty_costs == 'latency' and latency_lut is None:
            raise ValueError("latency_lut: penalty_costs='latency' needs the supernet's latency "
                             "table")
        self.penalty_costs = penalty_costs
        setting = tuple(tuple(row) for row in setting)
        if not setting or any(len(row) != 4 for row in setting):
            raise ValueError(f'setting: expected rows (t, c, n, s), got {setting!r}')
        self.space_arch = atomnas_supernet_arch(
            stem_channels, tuple(kernel_sizes), num_classes, last_channels, act, se_ratio,
            setting, resolution, dropout)
        # Its blocks are AtomicTrainingBlocks (the plain block plus CPU
        # training shortcuts): same modules and keys as the static net's.
        self.backbone = build_atomnas_net(self.space_arch, bn_momentum, bn_eps,
                                          block_type=AtomicTrainingBlock, weight_init=weight_init)
        self.neck = nn.AdaptiveAvgPool2d(1)
        self.head = ClassifierHead(**{**head_kwargs(self.space_arch),
                                      'weight_init': weight_init})
        # Per searchable block, the FLOPs of one atom of each kernel size; the
        # costs of removed atoms add up to the estimator's FLOPs drop.
        self._branch_costs = atom_costs(self.space_arch)
        self.latency = None if latency_lut is None else load_latency_table(latency_lut,
                                                                           self.space_arch)
        # c_i of the penalty: the FLOPs of each atom, or its marginal latency
        # (ms; the slope of the table's curves, constant like the FLOPs).
        self._penalty_costs = (self.latency.atom_costs(self.space_arch)
                               if penalty_costs == 'latency' else self._branch_costs)
        # c_i normalised by the mean cost over all atoms, as the published code
        # does. The mean is taken over the supernet's atoms once, so lambda
        # keeps its meaning while the net shrinks
        # (docs/methods/atomnas.md#mean-normalisation).
        total = sum(costs[k] * a for i, costs in self._penalty_costs.items()
                    for k, a in zip(self.space_arch.blocks[i].kernel_sizes,
                                    self.space_arch.blocks[i].atoms))
        if total <= 0:
            raise ValueError(f'latency_lut: {latency_lut}: every atom has zero marginal latency; '
                             f'the table cannot drive the penalty')
        self.cost_mean = total / max(1, self.space_arch.num_atoms)
        self._cache: dict = {}
        self._refresh()

    # ------------------------------------------------------------ structure
    @property
    def blocks(self) -> nn.Sequential:
        return self.backbone.blocks

    def searchable_blocks(self) -> list[int]:
        """Indices of the blocks whose atoms can still be removed (the first,
        expansion-free block is never searched)."""
        return [i for i in self._branch_costs if not self.blocks[i].is_identity]

    def alphas(self) -> dict[int, torch.Tensor]:
        """Block index -> importance factors of its atoms (``bn_dw.weight``)."""
        return {i: self.blocks[i].bn_dw.weight for i in self.searchable_blocks()}

    def atom_costs(self, index: int, kind: str = 'flops') -> torch.Tensor:
        """Un-normalised cost of each live atom of block ``index`` (float64):
        FLOPs, or with ``kind='penalty'`` the penalty's (FLOPs or ms)."""
        block = self.blocks[index]
        costs = (self._penalty_costs if kind == 'penalty' else self._branch_costs)[index]
        per_branch = torch.tensor([costs[k] for k in block.kernel_sizes], dtype=torch.float64)
        return per_branch.repeat_interleave(torch.tensor(block.atoms, dtype=torch.long))

    def predicted_latency(self) -> Optional[float]:
        """Latency (ms) of ``current_arch()`` predicted from the table, or None."""
        return self._cache.get('latency_ms')

    def current_arch(self) -> AtomNetArch:
        """The arch of the live atoms (what the static net / export builds)."""
        return self._cache['arch']

    def cost(self) -> Cost:
        """Analytic FLOPs/params of ``current_arch()`` (AtomNAS convention)."""
        return self._cache['cost']

    def _refresh(self) -> None:
        atoms = []
        for b_arch, block in zip(self.space_arch.blocks, self.blocks):
            live = dict(zip(block.kernel_sizes, block.atoms))
            atoms.append(tuple(live.get(k, 0) for k in b_arch.kernel_sizes))
        arch = self.space_arch.with_atoms(atoms).replace(name='')
        self._cache = {'arch': arch, 'cost': count_cost(arch)}
        if self.latency is not None:
            self._cache['latency_ms'] = self.latency.predict(arch)
        index = self.searchable_blocks()
        costs = (torch.cat([self.atom_costs(i, 'penalty') for i in index]) / self.cost_mean
                 if index else torch.zeros(0, dtype=torch.float64))
        if self.penalty_costs == 'uniform':
            costs = torch.ones_like(costs)
        # c_i of every live atom (normalised FLOPs, or 1), in the order of alphas();
        # non-persistent: derived from the structure, not trained.
        ref = self.head.fc.weight
        self.register_buffer('atom_cost_weights', costs.to(ref.device, ref.dtype), persistent=False)

    # ------------------------------------------------------------ the loss
    def atom_penalty(self) -> torch.Tensor:
        """``sum_i c_i |alpha_i|`` with c_i the normalised atom FLOPs (or 1
        with ``penalty_costs='uniform'``); autograd gives the subgradient
        ``sign(alpha) * c_i``."""
        alphas = list(self.alphas().values())
        if not alphas:
            return self.atom_cost_weights.new_zeros(())
        return torch.dot(self.atom_cost_weights, torch.cat(alphas).abs())

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.neck(self.backbone(x)).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.forward_features(x))

    # ------------------------------------------------------------ shrinking
    def dead_flops(self, dead: dict[int, torch.Tensor], resolve: bool = True) -> int:
        """FLOPs of the atoms marked in ``dead`` (block index -> bool mask):
        what removing them frees, after the keep-one-atom rule of
        ``resolve_keep_mask`` (``resolve=True``), or their plain sum (the
        authors' shrink trigger, meijieru/AtomNAS utils/prune.py L198-212)."""
        total = 0.0
        for i, mask in dead.items():
            mask = mask.bool().cpu()
            if resolve:
                mask = ~resolve_keep_mask(self.blocks[i], ~mask)
            total += float(self.atom_costs(i)[mask].sum())
        return int(round(total))

    def shrink(self, keep: dict[int, torch.Tensor], optimizer: Optional[torch.optim.Optimizer] = None,
               twins: Sequence['AtomNASSupernet'] = ()) -> ShrinkResult:
        """Remove atoms in place from this supernet, its ``twins`` and the
        optimizer state, in one call.

        Args:
            keep (dict[int, Tensor]): Block index -> bool mask over its live
                atoms (True = keep). Blocks not listed are kept whole.
            optimizer (Optimizer, optional): Optimizer over this supernet's
                parameters; its param groups are repointed at the sliced
                tensors and their state sliced alike.
            twins (Sequence[AtomNASSupernet]): Structurally identical copies
                (the EMA model) that lose exactly the same atoms.

        Returns:
            ShrinkResult: Atoms removed and the parameter map of this supernet.
        """
        params: ParamMap = {}
        removed = 0
        for i in sorted(keep):
            if i not in self._branch_costs:
                raise ValueError(f'keep: block {i} is not searchable')
            block = self.blocks[i]
            if block.is_identity:
                continue
            for twin in twins:
                if twin.blocks[i].atoms != block.atoms:
                    raise ValueError(f'twins: block {i} has atoms {twin.blocks[i].atoms}, this '
                                     f'supernet {block.atoms}')
            mask = resolve_keep_mask(block, keep[i].cpu())
            removed += int((~mask).sum())
            params.update(drop_atoms(block, mask))
            for twin in twins:
                drop_atoms(twin.blocks[i], mask)
        if optimizer is not None:
            slice_optimizer_state(optimizer, params)
        self._refresh()
        for twin in twins:
            twin._refresh()
        return ShrinkResult(removed, params)

    def shrink_to_arch(self, arch: AtomNetArch, optimizer: Optional[torch.optim.Optimizer] = None,
                       twins: Sequence['AtomNASSupernet'] = ()) -> ShrinkResult:
        """Reshape to ``arch`` keeping the first atoms of each branch: gives a
        freshly built supernet the shapes of a saved one, before its weights
        (and optimizer state) are loaded."""
        cur = self.current_arch()
        # Published files list only the live kernel sizes of a block; a
        # kernel the arch does not name has no atoms.
        if len(arch.blocks) != len(cur.blocks) or any(
                not set(a.kernel_sizes) <= set(b.kernel_sizes) or a.out_channels != b.out_channels
                or a.stride != b.stride or a.has_expansion != b.has_expansion
                for a, b in zip(arch.blocks, cur.blocks)):
            raise ValueError('arch: not a sub-arch of this supernet (blocks, kernel sizes, widths '
                             'or strides differ)')
        keep = {}
        for i in self.searchable_blocks():
            want = dict.fromkeys(cur.blocks[i].kernel_sizes, 0)
            want.update(zip(arch.blocks[i].kernel_sizes, arch.blocks[i].atoms))
            block = self.blocks[i]
            if any(a > 0 for k, a in want.items() if k not in block.kernel_sizes):
                raise ValueError(f'arch: block {i} atoms {arch.blocks[i].atoms} cannot be reached '
                                 f'from this supernet (live branches {block.kernel_sizes})')
            try:
                keep[i] = keep_first(block, [want[k] for k in block.kernel_sizes])
            except ValueError as e:
                raise ValueError(f'arch: block {i} cannot be reached from this supernet: {e}') \
                    from None
        result = self.shrink(keep, optimizer, twins)
        got = [dict(zip(b.kernel_sizes, b.atoms)) for b in self.current_arch().blocks]
        for i, b in enumerate(arch.blocks):
            if any(got[i][k] != a for k, a in zip(b.kernel_sizes, b.atoms)) or \
                    sum(got[i].values()) != b.num_atoms:
                raise ValueError(f'arch: block {i} atoms {b.atoms} cannot be reached from this '
                                 f'supernet (now {tuple(got[i].values())})')
        return result
