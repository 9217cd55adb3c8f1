"""Dropping atoms of an AtomicBlock in place, and the matching slicing of
optimizer state and of a structurally identical twin (the EMA copy).

Removing atom i removes channel i of the expansion 1x1 (and of its BN), its
dw filter, its entry of ``bn_dw`` (its alpha) and column i of the projection
1x1 (and, with SE, input column i of the SE reduce conv and output row i of
the SE expand conv; docs/methods/atomnas.md#what-a-shrink-removes). All
slicing is one ``index_select`` per tensor; nothing loops over atoms.

Every sliced parameter is replaced by a new ``nn.Parameter``; the returned
:data:`ParamMap` records ``old -> (new, dim, index)`` (``new`` is None when
the tensor disappeared with its branch or block) so that
:func:`slice_optimizer_state` can repoint the optimizer's param groups at the
new tensors and slice their state (RMSProp ``square_avg``, SGD/RMSProp
``momentum_buffer``, Adam moments: every state tensor shaped like the
parameter) the same way. Survivors keep their state values exactly.
"""
from __future__ import annotations

from typing import Optional, Sequence

import torch
import torch.nn as nn

from .atomic_block import AtomicBlock

# old parameter -> (new parameter or None if removed, sliced dim, kept index)
ParamMap = dict[nn.Parameter, tuple[Optional[nn.Parameter], int, Optional[torch.Tensor]]]


def dead_atom_masks(alphas: Sequence[torch.Tensor], ema_alphas: Optional[Sequence[torch.Tensor]],
                    threshold: float = 1e-3, ema_only: bool = False) -> list[torch.Tensor]:
    """Which atoms are dead: ``|alpha| <= threshold`` (the authors keep an
    atom iff ``|alpha| > threshold``, meijieru/AtomNAS train.py L48-63), in
    the weights and in the EMA (an atom alive in either survives), or in the
    EMA alone.

    Args:
        alphas: Per block, the live alphas (``bn_dw.weight``).
        ema_alphas: The same tensors of the EMA model, or None (no EMA: the
            live value alone decides).
        threshold (float): Dead when ``|alpha| <= threshold``. Defaults to 1e-3.
        ema_only (bool): Decide on the EMA alone (the last epoch: the EMA
            net is the one exported). Defaults to False.

    Returns:
        list[Tensor]: One bool mask per block, True = dead.
    """
    if threshold <= 0:
        raise ValueError(f'threshold: must be positive, got {threshold}')
    if ema_only and ema_alphas is None:
        raise ValueError('ema_only: needs ema_alphas')
    masks = []
    for i, a in enumerate(alphas):
        live = a.detach().abs() <= threshold
        if ema_alphas is None:
            masks.append(live)
            continue
        e = ema_alphas[i].detach().abs().to(a.device) <= threshold
        if e.shape != live.shape:
            raise ValueError(f'ema_alphas[{i}]: shape {tuple(e.shape)} != alphas {tuple(live.shape)}')
        masks.append(e if ema_only else live & e)
    return masks


def resolve_keep_mask(block: AtomicBlock, keep: torch.Tensor) -> torch.Tensor:
    """The keep mask actually applied to ``block``.

    Rule for a block that would lose every atom: with a residual it becomes
    the identity (its output would be ``x + 0`` anyway, up to BN betas); without
    one (stride 2 or a width change) the block cannot vanish -- the next
    block needs its output shape, and zero atoms would make everything after
    it input-independent -- so it keeps its single strongest atom (largest
    ``|alpha|``), the cheapest way to stay a valid arch (the arch validator
    rejects an all-zero block without residual for the same reason).
    """
    keep = keep.to(torch.bool).flatten()
    if keep.numel() != block.num_atoms:
        raise ValueError(f'keep: {keep.numel()} entries for a block of {block.num_atoms} atoms')
    if keep.any() or block.has_residual:
        return keep
    keep = torch.zeros_like(keep)
    keep[block.bn_dw.weight.detach().abs().argmax()] = True
    return keep


def _sliced(t: torch.Tensor, dim: int, index: torch.Tensor) -> torch.Tensor:
    """``t.index_select(dim, index)`` in ``t``'s memory format (a channels-last
    model stays channels-last after shrinking)."""
    out = t.index_select(dim, index.to(t.device))
    if t.dim() == 4 and not t.is_contiguous() and t.is_contiguous(memory_format=torch.channels_last):
        out = out.contiguous(memory_format=torch.channels_last)
    return out


def _replace(module: nn.Module, name: str, dim: int, index: torch.Tensor, params: ParamMap) -> None:
    old = getattr(module, name)
    if old is None:
        return
    new = _sliced(old.detach(), dim, index).clone(memory_format=torch.preserve_format)
    if isinstance(old, nn.Parameter):
        new = nn.Parameter(new, requires_grad=old.requires_grad)
        params[old] = (new, dim, index)
    setattr(module, name, new)


def _slice_bn(bn: nn.BatchNorm2d, index: torch.Tensor, params: ParamMap) -> None:
    for name in ('weight', 'bias', 'running_mean', 'running_var'):
        _replace(bn, name, 0, index, params)
    bn.num_features = index.numel()


def _slice_conv(conv: nn.Conv2d, index: torch.Tensor, params: ParamMap, out: bool) -> None:
    if out:
        _replace(conv, 'weight', 0, index, params)
        _replace(conv, 'bias', 0, index, params)
        conv.out_channels = index.numel()
    else:
        _replace(conv, 'weight', 1, index, params)
        conv.in_channels = index.numel()


def _mark_removed(module: nn.Module, params: ParamMap) -> None:
    for p in module.parameters():
        params[p] = (None, 0, None)


def drop_atoms(block: AtomicBlock, keep: torch.Tensor) -> ParamMap:
    """Keep only the atoms where ``keep`` is True, in place.

    ``keep`` must already be resolved (:func:`resolve_keep_mask`) so that a
    twin gets exactly the same atoms. Branches left without atoms disappear;
    an empty residual block becomes the identity (no sub-modules, as the
    static builder makes it).

    Args:
        block (AtomicBlock): A block with an expansion conv (searchable).
        keep (Tensor): Bool mask over the block's atoms (branch order).

    Returns:
        ParamMap: Replaced / removed parameters.
    """
    if not block.has_expansion:
        raise ValueError('block: a block without expansion conv is not searchable')
    keep = keep.to(torch.bool).flatten().cpu()
    if keep.numel() != block.num_atoms:
        raise ValueError(f'keep: {keep.numel()} entries for a block of {block.num_atoms} atoms')
    params: ParamMap = {}
    if keep.all():
        return params
    if not keep.any():
        if not block.has_residual:
            raise ValueError('keep: a block without residual must keep an atom '
                             '(use resolve_keep_mask)')
        _mark_removed(block, params)
        for name in ('expand', 'dw', 'bn_dw', 'act', 'se', 'project'):
            delattr(block, name)
        block.kernel_sizes, block.atoms, block.is_identity = [], [], True
        return params
    index = keep.nonzero().flatten()
    _slice_conv(block.expand.conv, index, params, out=True)
    _slice_bn(block.expand.bn, index, params)
    kernels, atoms, convs = [], [], []
    for k, conv, sl in zip(block.kernel_sizes, block.dw, block.atom_slices()):
        local = keep[sl].nonzero().flatten()
        if local.numel() == 0:
            _mark_removed(conv, params)
            continue
        _slice_conv(conv, local, params, out=True)
        conv.in_channels = conv.groups = local.numel()
        kernels.append(k)
        atoms.append(local.numel())
        convs.append(conv)
    block.dw = nn.ModuleList(convs)
    block.kernel_sizes, block.atoms = kernels, atoms
    _slice_bn(block.bn_dw, index, params)
    if not isinstance(block.se, nn.Identity):
        _slice_conv(block.se.reduce, index, params, out=False)
        _slice_conv(block.se.expand, index, params, out=True)
    _slice_conv(block.project.conv, index, params, out=False)
    return params


def keep_first(block: AtomicBlock, atoms: Sequence[int]) -> torch.Tensor:
    """Keep mask that leaves the first ``atoms[b]`` atoms of each branch
    (reshaping a fresh supernet to a saved arch before loading weights)."""
    if len(atoms) != len(block.atoms):
        raise ValueError(f'atoms: {len(atoms)} values for {len(block.atoms)} branches')
    parts = []
    for b, (have, want) in enumerate(zip(block.atoms, atoms)):
        if not 0 <= want <= have:
            raise ValueError(f'atoms[{b}]: {want} not in [0, {have}] (kernel {block.kernel_sizes[b]})')
        part = torch.zeros(have, dtype=torch.bool)
        part[:want] = True
        parts.append(part)
    return torch.cat(parts) if parts else torch.zeros(0, dtype=torch.bool)


@torch.no_grad()
def slice_optimizer_state(optimizer: torch.optim.Optimizer, params: ParamMap) -> int:
    """Point ``optimizer`` at the new parameters and slice their state alike.

    State tensors shaped like the old parameter (``square_avg``,
    ``momentum_buffer``, ``exp_avg``, ...) are sliced along the same dim with
    the same index; scalars (``step``) are kept. Removed parameters leave
    their param group and the state. Param order inside each group is kept,
    so an optimizer state_dict saved after a shrink loads into a fresh
    optimizer whose model was reshaped to the same arch.

    Returns:
        int: How many parameters of the optimizer were replaced or removed.
    """
    changed = 0
    for group in optimizer.param_groups:
        new_params = []
        for p in group['params']:
            if p not in params:
                new_params.append(p)
                continue
            changed += 1
            new, dim, index = params[p]
            state = optimizer.state.pop(p, None)
            if new is None:
                continue
            new_params.append(new)
            if state is not None:
                optimizer.state[new] = {
                    k: (_sliced(v, dim, index)
                        if torch.is_tensor(v) and v.shape == p.shape and v.dim() > 0 else v)
                    for k, v in state.items()}
        group['params'] = new_params
    return changed
