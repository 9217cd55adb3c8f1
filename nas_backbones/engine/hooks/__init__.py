"""Training hooks (registering)."""
from .atom_shrink_hook import AtomShrinkHook
from .atomnas_ema_hook import AtomNASEMAHook, ema_momentum
from .l1_warmup_hook import L1WarmupHook, l1_warmup_scale
from .subnet_bn_recalib_hook import SubnetBNRecalibHook

__all__ = ['AtomShrinkHook', 'AtomNASEMAHook', 'ema_momentum', 'L1WarmupHook', 'l1_warmup_scale',
           'SubnetBNRecalibHook']
