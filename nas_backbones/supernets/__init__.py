"""Weight-sharing supernets (torch only; importing registers nothing)."""
from .atomic_training_block import AtomicTrainingBlock
from .atomnas_supernet import AtomNASSupernet, ShrinkResult
from .attentive_supernet import AttentiveSupernet, space_from_cfg

__all__ = ['AtomicTrainingBlock', 'AtomNASSupernet', 'ShrinkResult', 'AttentiveSupernet', 'space_from_cfg']
