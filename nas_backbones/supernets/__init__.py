"""Weight-sharing supernets (torch only; importing registers nothing)."""
from .attentive_supernet import AttentiveSupernet

__all__ = ['AttentiveSupernet']
