"""Weight-sharing supernets (torch only; importing registers nothing)."""
from .atomnas_supernet import AtomNASSupernet, ShrinkResult
from .attentive_supernet import AttentiveSupernet, space_from_cfg

__all__ = ['AtomNASSupernet', 'ShrinkResult', 'AttentiveSupernet', 'space_from_cfg']
