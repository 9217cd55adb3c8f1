"""Analytic FLOPs/params from an architecture description (no weights, no torch)."""
from .flops import CONVENTIONS, Cost, LayerCost, count_cost, count_flops

__all__ = ['CONVENTIONS', 'Cost', 'LayerCost', 'count_cost', 'count_flops']
