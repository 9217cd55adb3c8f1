"""Training algorithms as mmengine models (registering)."""
from .attentivenas import AttentiveNAS, soft_cross_entropy
from .sandwich_ddp import SandwichDataParallel

__all__ = ['AttentiveNAS', 'SandwichDataParallel', 'soft_cross_entropy']
