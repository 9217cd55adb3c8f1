"""The authors' AttentiveNAS / AlphaNet supernet weights -> ``AttentiveSupernet``.

Source: ``state_dict`` of ``attentive_nas_pretrained.pth.tar`` (AlphaNet:
``alphanet_pretrained.pth.tar``, same model and space), the
``AttentiveNasDynamicModel`` of facebookresearch/AttentiveNAS
(``models/attentive_nas_dynamic_model.py``, layers in
``models/modules/dynamic_layers.py``) wrapped in DDP (``module.`` prefix).
Its modules map one to one onto ours; the differences are names, the
MobileNetV3 head's last 1x1 conv (a conv on the pooled 1x1 map, a linear
here) and tensors the authors' forward never reads:

* ``*.bn.bn_tracking.{0,1}.*``: BNs ``DynamicBatchNorm2d`` builds "to track
  the largest and smallest network" but never calls;
* ``blocks.{i}.shortcut.conv.conv.weight`` of blocks whose input and output
  widths are equal for every subnet (the shortcut is then the identity)
  -- dropped only when the target supernet has no such conv.

The supernet trains with BN momentum 0, so its running statistics are those
of initialisation: every subnet needs BN recalibration before evaluation
(``test_attentive_nas.py``: 64 training batches).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional, Union

import torch

from ...arch import AttentiveSpace
from ...supernets.attentive_supernet import AttentiveSupernet
from .common import (ConversionError, ConversionReport, check_complete, source_meta,
                     strip_module_prefix)
from .reader import expect_family, load_released_checkpoint

# MD5 of the released files as their authors gave it (facebookresearch/AttentiveNAS#10).
PUBLISHED_MD5 = {'attentive_nas_pretrained.pth.tar': '52741b01f92e680254bfa55c29ebdb71'}

_BN = r'(weight|bias|running_mean|running_var|num_batches_tracked)'
# (source pattern, target template); the first match wins.
_RULES = (
    (rf'first_conv\.conv\.conv\.weight', 'stem.conv.conv.weight'),
    (rf'first_conv\.bn\.bn\.{_BN}', r'stem.bn.bn.\1'),
    (rf'blocks\.(\d+)\.mobile_inverted_conv\.inverted_bottleneck\.conv\.conv\.weight',
     r'blocks.\1.expand.conv.conv.weight'),
    (rf'blocks\.(\d+)\.mobile_inverted_conv\.inverted_bottleneck\.bn\.bn\.{_BN}',
     r'blocks.\1.expand.bn.bn.\2'),
    (rf'blocks\.(\d+)\.mobile_inverted_conv\.depth_conv\.conv\.conv\.weight',
     r'blocks.\1.dw.conv.conv.weight'),
    (rf'blocks\.(\d+)\.mobile_inverted_conv\.depth_conv\.bn\.bn\.{_BN}', r'blocks.\1.dw.bn.bn.\2'),
    (rf'blocks\.(\d+)\.mobile_inverted_conv\.depth_conv\.se\.fc\.(reduce|expand)\.(weight|bias)',
     r'blocks.\1.se.\2.conv.\3'),
    (rf'blocks\.(\d+)\.mobile_inverted_conv\.point_linear\.conv\.conv\.weight',
     r'blocks.\1.project.conv.conv.weight'),
    (rf'blocks\.(\d+)\.mobile_inverted_conv\.point_linear\.bn\.bn\.{_BN}',
     r'blocks.\1.project.bn.bn.\2'),
    (rf'blocks\.(\d+)\.shortcut\.conv\.conv\.weight', r'blocks.\1.shortcut_conv.conv.weight'),
    (rf'last_conv\.final_expand_layer\.conv\.conv\.weight', 'head.conv.conv.weight'),
    (rf'last_conv\.final_expand_layer\.bn\.bn\.{_BN}', r'head.bn.bn.\1'),
    # 1x1 conv on the pooled map == linear: (out, in, 1, 1) -> (out, in).
    (rf'last_conv\.feature_mix_layer\.conv\.conv\.weight', 'mid_fc.linear.weight'),
    (rf'classifier\.linear\.linear\.(weight|bias)', r'fc.linear.\1'),
)
_UNUSED_BN = re.compile(r'.*\.bn\.bn_tracking\.\d+\.(running_mean|running_var|num_batches_tracked)')


def map_supernet_state(released: dict, supernet: AttentiveSupernet,
                       where: str = 'state_dict') -> tuple[dict, ConversionReport]:
    """Map the authors' supernet ``state_dict`` onto ``supernet``'s keys.

    Args:
        released (dict): The released ``state_dict`` (``module.`` prefix or not).
        supernet (AttentiveSupernet): The target (its space fixes the shapes).
        where (str): Name of the source in error messages.

    Returns:
        tuple[dict, ConversionReport]: The target state dict and the report.
    """
    source = strip_module_prefix(released, where)
    target = supernet.state_dict()
    out, report, unknown = {}, ConversionReport(), []
    for key, value in source.items():
        if _UNUSED_BN.fullmatch(key):
            report.dropped[key] = 'DynamicBatchNorm2d.bn_tracking is never called'
            continue
        for pattern, template in _RULES:
            m = re.fullmatch(pattern, key)
            if m is None:
                continue
            new = m.expand(template)
            if new.endswith('shortcut_conv.conv.weight') and new not in target:
                report.dropped[key] = ('shortcut conv of a block whose input and output widths '
                                       'are equal for every subnet (identity shortcut)')
                break
            if new == 'mid_fc.linear.weight' and value.dim() == 4:
                value = value.flatten(1)
            if new in out:
                raise ConversionError(f'{where}: two released keys map to {new}')
            out[new] = value
            report.mapped[key] = new
            break
        else:
            unknown.append(key)
    check_complete(out, target, unknown, where)
    return out, report


def supernet_from_released(path: Union[str, Path], space: Optional[AttentiveSpace] = None,
                           num_classes: int = 1000
                           ) -> tuple[AttentiveSupernet, ConversionReport, dict]:
    """Read a released supernet file into an ``AttentiveSupernet`` (eval mode).

    Args:
        path: The ``.pth.tar``.
        space (AttentiveSpace, optional): Defaults to the published space.
        num_classes (int): Defaults to 1000.

    Returns:
        tuple: (supernet, report, meta naming the source file and its digests).
    """
    ckpt = load_released_checkpoint(path)
    expect_family(ckpt, 'attentivenas', path)
    if not isinstance(space, (AttentiveSpace, type(None))):
        raise TypeError(f'space: expected AttentiveSpace, got {type(space).__name__}')
    supernet = AttentiveSupernet(space, num_classes=num_classes)
    state, report = map_supernet_state(ckpt['state_dict'], supernet, f'{path}: state_dict')
    supernet.load_state_dict(state, strict=True)
    meta = source_meta(path, 'attentivenas', 'supernet state_dict')
    meta['source_epoch'] = ckpt.get('epoch')
    published = PUBLISHED_MD5.get(Path(path).name)
    meta['source_md5_published'] = published
    meta['source_md5_matches_published'] = None if published is None else \
        published == meta['source_md5']
    return supernet.eval(), report, meta


def algorithm_state(supernet: AttentiveSupernet) -> dict:
    """State dict of an ``AttentiveNAS`` algorithm model holding ``supernet``
    (``supernet.*``); its ``sampler_rng`` buffer is zero (= "not set": the
    sampler keeps the config's seed), the released file has no sampler state."""
    state = {f'supernet.{k}': v for k, v in supernet.state_dict().items()}
    from ...samplers.base import RNG_STATE_LEN
    state['sampler_rng'] = torch.zeros(RNG_STATE_LEN, dtype=torch.long)
    return state
