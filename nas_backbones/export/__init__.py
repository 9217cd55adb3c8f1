"""Export of searched subnets to static arch files + weights-only checkpoints."""
from .attentive_export import export_attentive_subnet, export_from_model

__all__ = ['export_attentive_subnet', 'export_from_model']
