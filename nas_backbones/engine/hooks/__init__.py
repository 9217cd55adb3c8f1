"""Training hooks (registering)."""
from .atom_shrink_hook import AtomShrinkHook
from .atomnas_export_hook import AtomNASExportHook
from .atomnas_ema_hook import AtomNASEMA, AtomNASEMAHook, ema_momentum, warmup_decay
from .bn_calibration_hook import BNCalibrationHook
from .l1_warmup_hook import L1WarmupHook, l1_warmup_scale
from .subnet_bn_recalib_hook import SubnetBNRecalibHook

__all__ = ['AtomShrinkHook', 'AtomNASExportHook', 'AtomNASEMA', 'AtomNASEMAHook', 'ema_momentum', 'warmup_decay',
           'BNCalibrationHook', 'L1WarmupHook', 'l1_warmup_scale', 'SubnetBNRecalibHook']
