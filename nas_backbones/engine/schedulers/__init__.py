"""Parameter schedulers (registering)."""
from .warmup_exp_decay_lr import WarmupExpDecayLR, warmup_exp_decay_factor

__all__ = ['WarmupExpDecayLR', 'warmup_exp_decay_factor']
