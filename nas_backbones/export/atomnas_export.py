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

from ..arch import AtomNetArch
from ..estimators.flops import count_cost
from ..supernets.atomnas_supernet import AtomNASSupernet

CHECKPOINT_KEY = 'atomnas_shrink'  # where AtomShrinkHook stores the live arch


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


def load_atomnas_run(config, checkpoint: Union[str, Path]) -> tuple[nn.Module, dict]:
    """Build the ``AtomNAS`` model of a search config, reshape it to the
    checkpoint's live arch (``AtomShrinkHook``'s entry) and load its weights.

    The checkpoint's ``state_dict`` holds the EMA weights when the run had an
    EMA hook (mmengine's EMAHook swaps them in on save).

    Returns:
        tuple[nn.Module, dict]: The model and plain meta data about the source.
    """
    from mmengine.config import Config

    from ..engine.checkpoint import load_run_checkpoint
    from ..registry import MODELS
    from ..utils import register_all_modules

    register_all_modules()
    cfg = config if isinstance(config, Config) else Config.fromfile(str(config))
    model = MODELS.build(cfg.model)
    ckpt = load_run_checkpoint(str(checkpoint))
    state = ckpt.get(CHECKPOINT_KEY)
    if state is not None:
        model.shrink_to_arch(AtomNetArch.from_dict(state['arch']))
    weights = {k[len('module.'):] if k.startswith('module.') else k: v
               for k, v in ckpt['state_dict'].items()}
    missing, unexpected = model.load_state_dict(weights, strict=False)
    if missing or unexpected:
        raise ValueError(f'{checkpoint}: does not fit the model of the config: '
                         f'missing {missing[:5]}, unexpected {unexpected[:5]}')
    meta = {'source_checkpoint': str(checkpoint),
            'weights': 'ema' if 'ema_state_dict' in ckpt else 'model',
            'epoch': ckpt.get('meta', {}).get('epoch')}
    return model, meta


def export_from_checkpoint(config, checkpoint: Union[str, Path], out_dir: Union[str, Path],
                           name: Optional[str] = None) -> tuple[Path, Path]:
    """Export a search run's checkpoint (see :func:`load_atomnas_run`).

    Args:
        config (str | Config): The search config.
        checkpoint (str | Path): A checkpoint written by the run.
        out_dir (str | Path): Output folder.
        name (str, optional): Defaults to the checkpoint's file stem.
    """
    model, meta = load_atomnas_run(config, checkpoint)
    return export_atomnas(model.supernet, out_dir, name or Path(checkpoint).stem, meta)
