"""``norm_cfg`` / ``act_cfg`` of the searched backbones, the mmcv way: the
norm-layer factory the torch-only ops take is built from mmcv's
``build_norm_layer``; ``act_cfg`` is checked against the arch."""
from __future__ import annotations

from typing import Optional, Union

import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.registry import MODELS as MMENGINE_MODELS

from ..arch import AtomNetArch, AttentiveArch
from ..ops.layers import NormLayer
from ..ops.static_net import BN_DEFAULTS

# Norms of (N, C, H, W) tensors over channels that a conv net can use.
_CHANNEL_NORMS = (nn.BatchNorm2d, nn.SyncBatchNorm, nn.GroupNorm, nn.InstanceNorm2d)
# mmcv names of the activation each family's arch field stands for.
_ACT_TYPES = {'relu': ('ReLU',), 'swish': ('Swish', 'SiLU')}


def _norm_class(layer_type) -> type:
    if isinstance(layer_type, type):
        return layer_type
    with MMENGINE_MODELS.switch_scope_and_registry(None) as registry:
        cls = registry.get(layer_type)
    if cls is None:
        raise ValueError(f'norm_cfg.type: unknown norm layer {layer_type!r} (mmcv names: BN, '
                         f'SyncBN, GN, IN)')
    return cls


def norm_layer_from_cfg(norm_cfg: dict, family: str, bn_momentum: Optional[float] = None,
                        bn_eps: Optional[float] = None) -> NormLayer:
    """The factory ``channels -> mmcv's build_norm_layer(cfg, channels)[1]``.

    BN-type layers (BN, SyncBN) get the family's momentum / eps (AtomNAS
    0.01 / 1e-3, AttentiveNAS 0.1 / 1e-5) unless ``norm_cfg`` or
    ``bn_momentum`` / ``bn_eps`` set them; every other key of ``norm_cfg``
    (``requires_grad``, ``num_groups``, ``affine`` ...) goes to mmcv as is.

    Args:
        norm_cfg (dict): mmcv norm config, e.g. ``dict(type='SyncBN')``.
        family (str): 'atomnas' or 'attentivenas'.
        bn_momentum (float, optional): Shorthand for ``norm_cfg.momentum``.
        bn_eps (float, optional): Shorthand for ``norm_cfg.eps``.
    """
    if not isinstance(norm_cfg, dict) or 'type' not in norm_cfg:
        raise ValueError(f"norm_cfg: expected a dict with a 'type' (e.g. dict(type='BN')), got "
                         f'{norm_cfg!r}')
    cfg = dict(norm_cfg)
    cls = _norm_class(cfg['type'])
    if not issubclass(cls, _CHANNEL_NORMS):
        raise ValueError(f'norm_cfg.type: {cfg["type"]!r} ({cls.__name__}) does not normalise '
                         f'the channels of (N, C, H, W) features; use BN, SyncBN, GN or IN')
    is_bn = issubclass(cls, (nn.BatchNorm2d, nn.SyncBatchNorm))
    family_bn = BN_DEFAULTS[family]
    for key, value, default in (('momentum', bn_momentum, family_bn['bn_momentum']),
                                ('eps', bn_eps, family_bn['bn_eps'])):
        if value is not None:
            if not is_bn:
                raise ValueError(f'bn_{key}: norm_cfg.type {cfg["type"]!r} is not a BatchNorm; '
                                 f'put its arguments into norm_cfg')
            if key in cfg and cfg[key] != value:
                raise ValueError(f'bn_{key}: {value} conflicts with norm_cfg.{key}={cfg[key]}')
            cfg[key] = value
        elif is_bn:
            cfg.setdefault(key, default)

    def make(channels: int) -> nn.Module:
        try:
            return build_norm_layer(cfg, channels)[1]
        except (AssertionError, ValueError, TypeError, KeyError) as e:
            raise ValueError(f'norm_cfg: {norm_cfg!r} cannot build a norm of {channels} '
                             f'channels: {e}') from None
    return make


def check_act_cfg(act_cfg: Optional[dict], arch: Union[AtomNetArch, AttentiveArch]) -> None:
    """``act_cfg`` may only restate the arch's activation (None = as the
    arch): the activation is part of a searched architecture and of its
    published weights, so another one is rejected, naming the field."""
    if act_cfg is None:
        return
    act = arch.act
    allowed = _ACT_TYPES[act]
    if not isinstance(act_cfg, dict) or act_cfg.get('type') not in allowed or \
            set(act_cfg) - {'type', 'inplace'}:
        raise ValueError(
            f"act_cfg: {arch.name or 'this arch'} is searched and trained with "
            f"{allowed[0]} (the arch's act {act!r}); got {act_cfg!r}. Leave act_cfg=None "
            f"or give dict(type={allowed[0]!r}).")
