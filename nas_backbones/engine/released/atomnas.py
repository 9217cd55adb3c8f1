"""The authors' released AtomNAS weights -> SearchedMobileNet + NASClsHead.

Source: a ``<name>.pt`` written by ``utils/common.py: save_status`` of
meijieru/AtomNAS and the ``<name>.yml`` beside it (``model_kwparams``:
``str()`` of a dict, ``models/mobilenet_base.py: output_network``). The net
is ``models/searched_network.py: MobileNetSearched`` (or the shrunk
``mobilenet_supernet``, same layout) with one of two block layouts
(``models/mobilenet_base.py``):

* ``InvertedResidualChannels`` (AtomNAS-A/B/C and shrunk search nets): per
  kernel branch ``ops.{j} = [1x1 ConvBNReLU, dw ConvBNReLU, 1x1 conv]``, the
  branches summed, then ``pw_bn``;
* ``InvertedResidualChannelsFused`` (the + variants): one ``expand_conv``,
  per branch ``depth_ops.{j} = [Narrow, dw ConvBNReLU]``, concatenated,
  ``se_op`` (SE of ``round(se_ratio * C_in)``, the block's activation, sigmoid
  gate), ``project_conv``.

Both are the same function as our ``AtomicBlock``: per-branch 1x1 convs and
BNs concatenate along the atoms (BN is per channel; a sum of per-branch
projections is one projection of the concatenation). The authors evaluate
the EMA weights (``common.py: get_ema_model``: every parameter and BN
running statistic) and then recalibrate BN (``val.py``); this module takes
the EMA ``shadow`` for everything it holds and the model state for the rest
(``num_batches_tracked``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

import torch

from ...arch import AtomNetArch, arch_from_dict, load_arch, zoo_names
from ...arch.common import read_mapping
from ...ops.classifier import build_static_classifier
from .common import (ConversionError, ConversionReport, check_complete, source_meta,
                     strip_module_prefix)
from .reader import expect_family, load_released_checkpoint

_BN_KEYS = ('weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked')


def released_arch(path_or_dict: Union[str, Path, dict], state: Optional[dict] = None,
                  name: str = '') -> AtomNetArch:
    """The arch of a released ``.yml``, completed from the weights where the
    authors' file is silent.

    ``output_network`` writes no ``se_ratio``/``block`` (their + configs set
    ``model_kwparams.se_ratio: 0.5`` on top): when ``state`` has SE tensors
    and the file no ``se_ratio``, the ratio is read from the first block's SE
    width and checked on every block by the conversion.
    """
    data = dict(read_mapping(path_or_dict) if not isinstance(path_or_dict, dict) else path_or_dict)
    arch = arch_from_dict(data)
    if not isinstance(arch, AtomNetArch):
        raise ConversionError(f'{path_or_dict}: not an AtomNAS architecture')
    if state is not None and data.get('se_ratio') is None:
        se = state.get('features.1.se_op.se_reduce.weight')
        if se is not None:
            arch = arch.replace(se_ratio=se.shape[0] / arch.stem_channels)
    return arch.replace(name=name or arch.name)


def zoo_match(arch: AtomNetArch) -> Optional[str]:
    """The zoo name of the published arch with the same layers, if any."""
    for name in zoo_names():
        if not name.startswith('atomnas'):
            continue
        z = load_arch(name)
        if (z.blocks, z.stem_channels, z.last_channels, z.act, z.se_ratio, z.num_classes) == \
                (arch.blocks, arch.stem_channels, arch.last_channels, arch.act, arch.se_ratio,
                 arch.num_classes):
            return name
    return None


class _Source:
    """The released tensors of one model, consumed as they are mapped."""

    def __init__(self, state: dict, report: ConversionReport):
        self.state, self.report = dict(state), report

    def pop(self, key: str, target: str) -> torch.Tensor:
        if key not in self.state:
            raise ConversionError(f'the weights have no {key} (needed for {target}): does the '
                                  f'arch file match them?')
        self.report.mapped[key] = target
        return self.state.pop(key)

    def cat(self, keys: list, target: str, dim: int = 0) -> torch.Tensor:
        if len(keys) == 1:
            return self.pop(keys[0], target)
        missing = [k for k in keys if k not in self.state]
        if missing:
            raise ConversionError(f'the weights have no {missing} (needed for {target}): does '
                                  f'the arch file match them?')
        self.report.merged[target] = list(keys)
        return torch.cat([self.state.pop(k) for k in keys], dim)

    def bn(self, prefixes: list, target: str, out: dict) -> None:
        for name in _BN_KEYS:
            keys = [f'{p}.{name}' for p in prefixes]
            if name == 'num_batches_tracked' and len(keys) > 1:
                # One counter per branch BN, all counting the same steps: keep the first.
                missing = [k for k in keys if k not in self.state]
                if missing:
                    raise ConversionError(f'the weights have no {missing} (needed for '
                                          f'{target}): does the arch file match them?')
                self.report.merged[f'{target}.{name}'] = keys
                out[f'{target}.{name}'] = [self.state.pop(k) for k in keys][0]
            else:
                out[f'{target}.{name}'] = self.cat(keys, f'{target}.{name}')

    def has(self, prefix: str) -> bool:
        return any(k.startswith(prefix) for k in self.state)

    def drop_prefix(self, prefix: str, why: str) -> None:
        for k in [k for k in self.state if k.startswith(prefix)]:
            self.report.dropped[k] = why
            self.state.pop(k)


def _map_block(src: _Source, f: str, t: str, block, out: dict) -> None:
    """Released ``features.{i}`` (prefix ``f``) -> our ``blocks.{i-1}`` (``t``)."""
    n = len(block.live_branches())
    if n == 0:
        src.drop_prefix(f + '.', 'BN of a block whose atoms were all removed (the authors\' '
                                  'forward returns the input)')
        return
    fused = src.has(f'{f}.depth_ops.')
    if fused:
        if block.has_expansion:
            out[f'{t}.expand.conv.weight'] = src.pop(f'{f}.expand_conv.0.weight',
                                                     f'{t}.expand.conv.weight')
            src.bn([f'{f}.expand_conv.1'], f'{t}.expand.bn', out)
        d = 1 if block.has_expansion else 0  # depth_ops.{j}.0 is the Narrow
        for j in range(n):
            out[f'{t}.dw.{j}.weight'] = src.pop(f'{f}.depth_ops.{j}.{d}.0.weight',
                                                f'{t}.dw.{j}.weight')
        src.bn([f'{f}.depth_ops.{j}.{d}.1' for j in range(n)], f'{t}.bn_dw', out)
        if src.has(f'{f}.se_op.'):
            for a, b in (('se_reduce', 'reduce'), ('se_expand', 'expand')):
                for p in ('weight', 'bias'):
                    out[f'{t}.se.{b}.{p}'] = src.pop(f'{f}.se_op.{a}.{p}', f'{t}.se.{b}.{p}')
        out[f'{t}.project.conv.weight'] = src.pop(f'{f}.project_conv.0.weight',
                                                  f'{t}.project.conv.weight')
        src.bn([f'{f}.project_conv.1'], f'{t}.project.bn', out)
        return
    d, p = (1, 2) if block.has_expansion else (0, 1)
    if block.has_expansion:
        out[f'{t}.expand.conv.weight'] = src.cat([f'{f}.ops.{j}.0.0.weight' for j in range(n)],
                                                 f'{t}.expand.conv.weight')
        src.bn([f'{f}.ops.{j}.0.1' for j in range(n)], f'{t}.expand.bn', out)
    for j in range(n):
        out[f'{t}.dw.{j}.weight'] = src.pop(f'{f}.ops.{j}.{d}.0.weight', f'{t}.dw.{j}.weight')
    src.bn([f'{f}.ops.{j}.{d}.1' for j in range(n)], f'{t}.bn_dw', out)
    out[f'{t}.project.conv.weight'] = src.cat([f'{f}.ops.{j}.{p}.weight' for j in range(n)],
                                              f'{t}.project.conv.weight', dim=1)
    src.bn([f'{f}.pw_bn'], f'{t}.project.bn', out)


def map_searched_state(released: dict, arch: AtomNetArch,
                       where: str = 'model') -> tuple[dict, ConversionReport]:
    """Map a ``MobileNetSearched`` state dict onto ``build_static_classifier(arch)``
    keys (``backbone.stem/blocks/head``, ``head.fc``), strictly."""
    report = ConversionReport()
    src = _Source(released, report)
    out = {}
    out['backbone.stem.conv.weight'] = src.pop('features.0.0.weight', 'backbone.stem.conv.weight')
    src.bn(['features.0.1'], 'backbone.stem.bn', out)
    for i, block in enumerate(arch.blocks):
        _map_block(src, f'features.{i + 1}', f'backbone.blocks.{i}', block, out)
    last = f'features.{len(arch.blocks) + 1}'
    out['backbone.head.conv.weight'] = src.pop(f'{last}.0.weight', 'backbone.head.conv.weight')
    src.bn([f'{last}.1'], 'backbone.head.bn', out)
    for p in ('weight', 'bias'):
        out[f'head.fc.{p}'] = src.pop(f'classifier.1.{p}', f'head.fc.{p}')
    target = build_static_classifier(arch).state_dict()
    check_complete(out, target, sorted(src.state), where)
    return out, report


def ema_weights(ckpt: dict, where: str) -> tuple[dict, str]:
    """The weights the authors evaluate: the model state with every tensor the
    EMA tracks replaced by its shadow. ``(state, 'ema' | 'model')``."""
    model = strip_module_prefix(ckpt['model'], f'{where}: model')
    ema = ckpt.get('ema')
    if not ema:
        return model, 'model'
    if not isinstance(ema, dict) or not isinstance(ema.get('shadow'), dict):
        raise ConversionError(f"{where}: ema: expected {{'info', 'shadow', 'param'}}, got "
                              f'{type(ema).__name__}')
    shadow = strip_module_prefix(ema['shadow'], f'{where}: ema.shadow')
    unknown = [k for k in shadow if k not in model]
    if unknown:
        raise ConversionError(f'{where}: ema.shadow has tensors the model has not: {unknown[:5]}')
    wrong = [k for k in shadow if shadow[k].shape != model[k].shape]
    if wrong:
        raise ConversionError(f'{where}: ema.shadow shapes differ from the model: {wrong[:5]}')
    # setup_ema registers every parameter and every BN running mean/var.
    untracked = [k for k in model if k not in shadow and not k.endswith('num_batches_tracked')]
    if untracked:
        raise ConversionError(f'{where}: ema.shadow lacks {untracked[:5]}: not the EMA of '
                              f'this model')
    return {**model, **shadow}, 'ema'


def convert_released_atomnas(pt_path: Union[str, Path], yml_path: Union[str, Path, None] = None,
                             use_ema: bool = True
                             ) -> tuple[AtomNetArch, dict, ConversionReport, dict]:
    """Read ``<name>.pt`` (+ ``<name>.yml``, default: beside it).

    Returns:
        tuple: (arch, ``backbone.*``/``head.*`` state dict, report, meta).
    """
    pt_path = Path(pt_path)
    yml_path = Path(yml_path) if yml_path is not None else pt_path.with_suffix('.yml')
    if not yml_path.is_file():
        raise ConversionError(f'{yml_path}: the arch file written beside the .pt is missing '
                              f'(pass it explicitly)')
    ckpt = load_released_checkpoint(pt_path)
    expect_family(ckpt, 'atomnas', pt_path)
    if use_ema:
        state, weights = ema_weights(ckpt, str(pt_path))
    else:
        state, weights = strip_module_prefix(ckpt['model'], f'{pt_path}: model'), 'model'
    arch = released_arch(yml_path, state, name=pt_path.stem)
    zoo = zoo_match(arch)
    if zoo is not None:
        arch = load_arch(zoo)
    converted, report = map_searched_state(state, arch, f'{pt_path}: {weights}')
    meta = source_meta(pt_path, 'atomnas', weights)
    meta.update(source_arch_file=yml_path.name, zoo_arch=zoo, source_epoch=ckpt.get('last_epoch'))
    return arch, converted, report, meta
