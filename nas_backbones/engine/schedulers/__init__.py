"""Parameter schedulers (registering)."""
from .warmup_cosine_lr import WarmupCosineLR, WarmupCosineParamScheduler
from .warmup_exp_decay_lr import WarmupExpDecayLR, warmup_exp_decay_factor

__all__ = ['WarmupCosineLR', 'WarmupCosineParamScheduler', 'WarmupExpDecayLR',
           'warmup_exp_decay_factor']
