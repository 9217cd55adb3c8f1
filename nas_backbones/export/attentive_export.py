"""Export an AttentiveNAS subnet: supernet + arch -> (arch file, weights).

The weights file is weights-only (``{'state_dict', 'meta'}``, tensors and
plain values) with the key names of SearchedMobileNet + NASClsHead inside
an mmpretrain ImageClassifier (``backbone.stem/blocks/head``,
``head.mid_fc/fc``), so ``SearchedMobileNet(arch=<file>,
init_cfg=dict(type='Pretrained', checkpoint=<weights>, prefix='backbone.'))``
loads it and its eval outputs equal the supernet's for that subnet. The supernet's BN
statistics are meaningless after training with momentum 0: recalibrate the
subnet first (``export_from_model`` does, given calibration batches).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional, Union

import torch

from ..arch import AttentiveArch, load_arch
from ..estimators.flops import count_cost
from ..supernets.attentive_supernet import AttentiveSupernet


def export_attentive_subnet(supernet: AttentiveSupernet, arch: AttentiveArch,
                            out_dir: Union[str, Path], name: Optional[str] = None,
                            meta: Optional[dict] = None) -> tuple[Path, Path]:
    """Write ``{name}.yml`` (arch) and ``{name}.pth`` (weights) into ``out_dir``.

    Args:
        supernet (AttentiveSupernet): Trained (and recalibrated) supernet.
        arch (AttentiveArch): The subnet; must lie in the supernet's space.
        out_dir (str | Path): Output folder.
        name (str, optional): File stem; defaults to the arch name or 'subnet'.
        meta (dict, optional): Extra plain entries for the checkpoint's meta.

    Returns:
        tuple[Path, Path]: The arch file and the weights file.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = name or arch.name or 'subnet'
    arch = arch.replace(name=name, num_classes=supernet.num_classes)
    static = supernet.to_static(arch)
    state = {k: v.detach().cpu().clone() for k, v in static.state_dict().items()}
    cost = count_cost(arch, space=supernet.space)
    info = {'arch': arch.to_dict(), 'mflops': round(cost.mflops, 2),
            'mparams': round(cost.mparams, 3), 'exported_from': 'AttentiveSupernet'}
    info.update(meta or {})
    arch_path = arch.save(out_dir / f'{name}.yml')
    ckpt_path = out_dir / f'{name}.pth'
    torch.save({'state_dict': state, 'meta': info}, ckpt_path)
    return arch_path, ckpt_path


def export_from_model(model, arch: Union[str, Path, dict, AttentiveArch, None],
                      out_dir: Union[str, Path], calib_batches: Optional[Iterable] = None,
                      num_batches: int = 64, name: Optional[str] = None) -> tuple[Path, Path]:
    """Export from a trained ``AttentiveNAS`` model, recalibrating BN first.

    Args:
        model: An ``AttentiveNAS`` algorithm (weights loaded).
        arch: Arch file / mapping / arch; None = the model's eval arch.
        out_dir: Output folder.
        calib_batches (Iterable, optional): Data batches (as the training
            loader yields them) for BN recalibration; None skips it (only
            right when the statistics are already those of this subnet).
        num_batches (int): Recalibration batches. Defaults to 64.
        name (str, optional): File stem.
    """
    arch = model.eval_arch if arch is None else load_arch(arch)
    arch = model.space.validate(arch.replace(num_classes=model.supernet.num_classes))
    if calib_batches is not None:
        model.recalibrate(calib_batches, num_batches, arch)
    model.eval()
    return export_attentive_subnet(model.supernet, arch, out_dir, name,
                                   meta={'bn_recalibrated': calib_batches is not None})
