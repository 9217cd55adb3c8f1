"""Export a shrunk AtomNAS supernet: (arch file, weights-only checkpoint).

The supernet is already a static net of its live atoms (same module names
as ``SearchedMobileNet`` + ``NASClsHead``), so export is a state-dict copy:
``{'state_dict': {'backbone.*', 'head.*'}, 'meta': {...}}`` loads into
``SearchedMobileNet(arch=<file>, init_cfg=dict(type='Pretrained',
checkpoint=<file>, prefix='backbone.'))`` and into an mmpretrain
``ImageClassifier`` with ``NASClsHead``; the static net's eval outputs equal
the supernet's. The EMA weights are exported when there are any (the
exported net is the EMA net, docs/methods/atomnas.md#the-last-epoch).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional, Union

import torch
import torch.nn as nn

from ..estimators.flops import count_cost
from ..supernets.atomnas_supernet import AtomNASSupernet

def export_atomnas(supernet: AtomNASSupernet, out_dir: Union[str, Path], name: str = 'atomnas_searched',
                   meta: Optional[dict] = None, plus_variant: bool = True) -> tuple[Path, Path]:
    """Write ``{name}.yml`` (zoo format, ``AtomNetArch.save``) and
    ``{name}.pth`` (weights only) into ``out_dir``; with ``plus_variant``
    also ``{name}_plus.yml``, the same atoms with Swish, SE 0.5 and dropout
    0.28 (the + variants, retrained from scratch: no weights;
    docs/methods/atomnas.md#plus-variants).

    Args:
        supernet (AtomNASSupernet): The (shrunk) supernet, weights to export.
        out_dir (str | Path): Output folder (created).
        name (str): File stem and arch name. Defaults to 'atomnas_searched'.
        meta (dict, optional): Extra plain entries for the checkpoint's meta.
        plus_variant (bool): Also write the + variant's arch file.
            Defaults to True.

    Returns:
        tuple[Path, Path]: The arch file and the weights file.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    arch = supernet.current_arch().replace(name=name)
    state = {}
    for prefix, module in (('backbone.', supernet.backbone), ('head.', supernet.head)):
        state.update({prefix + k: v.detach().cpu().clone() for k, v in module.state_dict().items()})
    cost = count_cost(arch)
    info = {'arch': json.loads(json.dumps(arch.to_dict())), 'mflops': round(cost.mflops, 2),
            'mparams': round(cost.mparams, 3), 'atoms': arch.num_atoms,
            'exported_from': 'AtomNASSupernet'}
    info.update(meta or {})
    arch_path = arch.save(out_dir / f'{name}.yml')
    if plus_variant and arch.act == 'relu' and arch.se_ratio == 0:
        arch.replace(act='swish', se_ratio=0.5, dropout=0.28, name=f'{name}_plus').save(
            out_dir / f'{name}_plus.yml')
    ckpt_path = out_dir / f'{name}.pth'
    torch.save({'state_dict': state, 'meta': info}, ckpt_path)
    return arch_path, ckpt_path


def export_from_model(model: nn.Module, out_dir: Union[str, Path], name: str = 'atomnas_searched',
                      ema_model: Optional[nn.Module] = None,
                      meta: Optional[dict] = None) -> tuple[Path, Path]:
    """Export an ``AtomNAS`` model, or the module of its mmengine EMA copy.

    Args:
        model (nn.Module): The ``AtomNAS`` algorithm model.
        out_dir (str | Path): Output folder.
        name (str): File stem and arch name. Defaults to 'atomnas_searched'.
        ema_model (nn.Module, optional): mmengine averaged model of
            ``model``; its weights are exported when given.
        meta (dict, optional): Extra plain entries for the checkpoint's meta.
    """
    source = model if ema_model is None else ema_model.module
    info = {'weights': 'ema' if ema_model is not None else 'model'}
    info.update(meta or {})
    return export_atomnas(source.supernet, out_dir, name, info)
