"""Training algorithms as mmengine models (registering)."""
from .atomnas import AtomNAS, decayed_parameters, sync_averaged_model
from .attentivenas import AttentiveNAS, soft_cross_entropy
from .sandwich_ddp import SandwichDataParallel

__all__ = ['AtomNAS', 'decayed_parameters', 'sync_averaged_model', 'AttentiveNAS', 'SandwichDataParallel', 'soft_cross_entropy']
