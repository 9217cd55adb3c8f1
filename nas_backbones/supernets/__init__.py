"""Weight-sharing supernets (torch only; importing registers nothing)."""
from .attentive_supernet import AttentiveSupernet, space_from_cfg

__all__ = ['AttentiveSupernet', 'space_from_cfg']
