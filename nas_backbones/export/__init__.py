"""Export of searched subnets to static arch files + weights-only checkpoints."""
from .atomnas_export import export_atomnas, export_from_checkpoint as export_atomnas_checkpoint
from .atomnas_export_hook import AtomNASExportHook
from .attentive_export import export_attentive_subnet, export_from_model

__all__ = ['export_atomnas', 'export_atomnas_checkpoint', 'AtomNASExportHook',
           'export_attentive_subnet', 'export_from_model']
