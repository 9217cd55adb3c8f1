"""The one way to get a model out of a run: (config, checkpoint) -> model with
the run's weights, as the tools (export, search, ONNX) and the export paths
need it.

What a run checkpoint may need besides ``state_dict``: an AtomNAS search
shrinks its supernet while training, so the model the config builds is larger
than the checkpoint's; ``AtomShrinkHook`` stores the live arch under
``CHECKPOINT_KEY`` and the model is reshaped to it before the weights load
(what the hook's ``after_load_checkpoint`` does on ``--resume``). The
checkpoint's ``state_dict`` holds the EMA weights when the run had an EMA
hook (mmengine's EMAHook swaps them in on save).

Weights load strictly: a checkpoint that does not fit the config's model
fails naming the keys, instead of leaving parameters at their random init
(``Runner.load_checkpoint``'s default is ``strict=False``).
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Optional, Union

import torch.nn as nn
from mmengine.config import Config
from mmengine.model import is_model_wrapper
from mmengine.registry import DefaultScope

from ..arch import AtomNetArch
from .checkpoint import load_run_checkpoint
from .hooks.atom_shrink_hook import CHECKPOINT_KEY

ConfigLike = Union[str, Path, Config]


def as_config(config: ConfigLike, cfg_options: Optional[dict] = None) -> Config:
    """``config`` as a Config (a path is read), with ``cfg_options`` merged."""
    cfg = config if isinstance(config, Config) else Config.fromfile(str(config))
    if cfg_options:
        cfg = copy.deepcopy(cfg)
        cfg.merge_from_dict(cfg_options)
    return cfg


def build_model(config: ConfigLike, cfg_options: Optional[dict] = None) -> nn.Module:
    """The model of ``config`` as the Runner builds it (``model`` with the
    top-level ``data_preprocessor`` as its default), without weights.

    The config's ``default_scope`` (else 'nas_backbones') is current while
    building, so unscoped names resolve as in a run, whatever scope an earlier
    Runner of the process left current.
    """
    from ..registry import MODELS
    cfg = as_config(config, cfg_options)
    if cfg.get('model') is None:
        raise ValueError(f'{getattr(cfg, "filename", "config")}: has no model')
    model_cfg = copy.deepcopy(cfg.model)
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', copy.deepcopy(cfg.data_preprocessor))
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope') or 'nas_backbones'):
        return MODELS.build(model_cfg)


def load_weights(model: nn.Module, checkpoint: Union[str, Path]) -> dict:
    """Load a run checkpoint (or an exported / published one) into ``model``,
    reshaping an AtomNAS model to the checkpoint's live arch first.

    Args:
        model (nn.Module): The config's model (a model wrapper is unwrapped).
        checkpoint (str | Path): Local path or URL, read weights-only.

    Returns:
        dict: Plain facts about the source: ``source_checkpoint``,
        ``weights`` ('ema' when the run kept an EMA, else 'model') and
        ``epoch`` (None for a file without mmengine meta).

    Raises:
        ValueError: the weights do not fit the model (naming the keys).
    """
    module = model.module if is_model_wrapper(model) else model
    ckpt = load_run_checkpoint(checkpoint)
    shrunk = ckpt.get(CHECKPOINT_KEY) if isinstance(ckpt, dict) else None
    if shrunk is not None:
        if not hasattr(module, 'shrink_to_arch'):
            raise ValueError(f'{checkpoint}: holds a shrunk AtomNAS arch ({CHECKPOINT_KEY!r}) '
                             f'but the config builds a {type(module).__name__}')
        module.shrink_to_arch(AtomNetArch.from_dict(shrunk['arch']))
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else ckpt
    if not isinstance(state, dict):
        raise ValueError(f'{checkpoint}: expected a state dict, got {type(state).__name__}')
    weights = {k[len('module.'):] if k.startswith('module.') else k: v for k, v in state.items()}
    missing, unexpected = module.load_state_dict(weights, strict=False)
    if missing or unexpected:
        raise ValueError(f'{checkpoint}: does not fit the model of the config: '
                         f'{len(missing)} missing keys, e.g. {missing[:5]}; '
                         f'{len(unexpected)} unexpected, e.g. {unexpected[:5]}')
    meta = ckpt.get('meta', {}) if isinstance(ckpt, dict) else {}
    return {'source_checkpoint': str(checkpoint),
            'weights': 'ema' if 'ema_state_dict' in ckpt else 'model',
            'epoch': meta.get('epoch') if isinstance(meta, dict) else None}


def load_model(config: ConfigLike, checkpoint: Union[str, Path], *, device: str = 'cpu',
               cfg_options: Optional[dict] = None) -> nn.Module:
    """Build the model of ``config`` and load ``checkpoint`` into it
    (:func:`build_model` + :func:`load_weights`), in eval mode on ``device``.

    Args:
        config (str | Path | Config): The training / search config of the run.
        checkpoint (str | Path): A checkpoint of the run (or weights-only).
        device (str): Where the model goes. Defaults to 'cpu'.
        cfg_options (dict, optional): Overrides merged into the config.
    """
    model = build_model(config, cfg_options)
    load_weights(model, checkpoint)
    return model.to(device).eval()
