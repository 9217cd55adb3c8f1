"""Training hooks (registering)."""
from .subnet_bn_recalib_hook import SubnetBNRecalibHook

__all__ = ['SubnetBNRecalibHook']
