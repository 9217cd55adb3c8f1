"""Training algorithms as mmengine models (registering)."""
from .atomnas import AtomNAS, decayed_parameters, sync_averaged_model
from .attentivenas import AttentiveNAS, soft_cross_entropy
from .cpu_aware_ddp import CPUAwareDistributedDataParallel
from .sandwich_ddp import SandwichDataParallel

__all__ = ['AtomNAS', 'decayed_parameters', 'sync_averaged_model', 'AttentiveNAS',
           'CPUAwareDistributedDataParallel', 'SandwichDataParallel', 'soft_cross_entropy']
