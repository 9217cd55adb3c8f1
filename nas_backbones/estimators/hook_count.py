"""FLOPs/params of a built torch model by forward hooks: the independent check
of the analytic estimator (they must agree exactly;
docs/flops_conventions.md#checks).

Imports torch, so it is not imported by ``estimators/__init__``.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from .flops import CONVENTIONS, Cost


def hook_count(model: nn.Module, input_size: int, convention: str,
               in_channels: int = 3) -> Cost:
    """Run one image through ``model`` (eval mode) and count MACs and params
    of every conv / linear it actually executes; under the AtomNAS convention
    also average pools and SE gating multiplies (any module with a ``gate``)."""
    if convention not in CONVENTIONS:
        raise ValueError(f'convention: {convention!r} not in {CONVENTIONS}')
    cost, handles = Cost(), []

    def conv_hook(mod: nn.Conv2d, inp, out):
        k = mod.kernel_size[0] * mod.kernel_size[1]
        w = mod.in_channels * mod.out_channels * k // mod.groups
        cost.add(names[mod], 'conv', w * out.shape[2] * out.shape[3],
                 mod.weight.numel() + (mod.bias.numel() if mod.bias is not None else 0))

    def linear_hook(mod: nn.Linear, inp, out):
        cost.add(names[mod], 'linear', mod.in_features * mod.out_features,
                 mod.weight.numel() + (mod.bias.numel() if mod.bias is not None else 0))

    def pool_hook(mod, inp, out):
        cost.add(names[mod], 'avgpool', inp[0].numel())

    def gate_hook(mod, inp, out):
        cost.add(names[mod], 'mul', out.numel())

    names = {m: n for n, m in model.named_modules()}
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
        elif convention == 'atomnas' and isinstance(m, (nn.AdaptiveAvgPool2d, nn.AvgPool2d)):
            handles.append(m.register_forward_hook(pool_hook))
        elif convention == 'atomnas' and hasattr(m, 'gate') and hasattr(m, 'reduce'):
            handles.append(m.register_forward_hook(gate_hook))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(1, in_channels, input_size, input_size))
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    return cost
