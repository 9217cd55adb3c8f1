"""Data-parallel wrapper for models that run several forwards per step.

mmengine's ``MMDistributedDataParallel.train_step`` runs one forward through
DDP and never calls the module's ``train_step``
(mmengine/model/wrappers/distributed.py), and DDP's per-backward all-reduce
would run once per subnet and needs ``find_unused_parameters`` because
subnets skip blocks. This wrapper only
delegates: the module's ``train_step`` (written once) averages its
gradients itself, once per step, after its last backward.
"""
from __future__ import annotations

from typing import Union

import torch
import torch.nn as nn
from mmengine import dist

from ..registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class SandwichDataParallel(nn.Module):
    """Delegating wrapper; parameters and buffers start equal on all ranks.

    Use with ``model_wrapper_cfg = dict(type='nas_backbones.SandwichDataParallel')``.

    Args:
        module (nn.Module): A model whose ``train_step`` synchronises its
            own gradients (e.g. ``AttentiveNAS``).
        broadcast_buffers (bool): Broadcast buffers from rank 0 once at
            construction, with the parameters. Defaults to True.
    """

    def __init__(self, module: nn.Module, broadcast_buffers: bool = True, **kwargs):
        super().__init__()
        self.module = module
        # As DDP's constructor: every rank starts from rank 0's weights.
        tensors = list(module.parameters()) + (list(module.buffers()) if broadcast_buffers else [])
        with torch.no_grad():
            for t in tensors:
                dist.broadcast(t.data, src=0)

    def train_step(self, data: Union[dict, tuple, list], optim_wrapper) -> dict:
        return self.module.train_step(data, optim_wrapper)

    def val_step(self, data: Union[dict, tuple, list]) -> list:
        return self.module.val_step(data)

    def test_step(self, data: Union[dict, tuple, list]) -> list:
        return self.module.test_step(data)

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)
