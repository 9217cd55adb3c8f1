"""Dynamic linear layer: first-N input/output features of one max-size layer."""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


class DynamicLinear(nn.Module):
    """Linear over the first ``x.shape[-1]`` inputs, producing ``out_features``.

    Args:
        max_in_features (int): Inputs of the max-size layer.
        max_out_features (int): Outputs of the max-size layer.
        bias (bool): Defaults to True.
    """

    def __init__(self, max_in_features: int, max_out_features: int, bias: bool = True):
        super().__init__()
        self.linear = nn.Linear(max_in_features, max_out_features, bias=bias)

    def active_params(self, in_features: int,
                      out_features: int) -> tuple[torch.Tensor, Optional[torch.Tensor]]:
        w, b = self.linear.weight, self.linear.bias
        if out_features != w.shape[0] or in_features != w.shape[1]:
            w = w[:out_features, :in_features]
            b = b[:out_features] if b is not None else None
        return w, b

    def forward(self, x: torch.Tensor, out_features: int) -> torch.Tensor:
        w, b = self.active_params(x.shape[-1], out_features)
        return F.linear(x, w, b)

    def to_static(self, in_features: int, out_features: int) -> nn.Linear:
        w, b = self.active_params(in_features, out_features)
        linear = nn.Linear(in_features, out_features, bias=b is not None)
        with torch.no_grad():
            linear.weight.copy_(w)
            if b is not None:
                linear.bias.copy_(b)
        return linear
