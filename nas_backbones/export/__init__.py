"""Export of searched subnets to static arch files + weights-only checkpoints,
and conversion of the authors' released weights (``released_*``)."""
from .atomnas_export import export_atomnas, export_from_checkpoint as export_atomnas_checkpoint
from .atomnas_export_hook import AtomNASExportHook
from .attentive_export import export_attentive_subnet, export_from_model
from .released_atomnas import convert_released_atomnas
from .released_attentivenas import supernet_from_released
from .released_common import ConversionError

__all__ = ['export_atomnas', 'export_atomnas_checkpoint', 'AtomNASExportHook',
           'export_attentive_subnet', 'export_from_model', 'convert_released_atomnas',
           'supernet_from_released', 'ConversionError']
