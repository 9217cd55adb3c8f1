"""Export of searched subnets: supernet + arch -> static arch file +
weights-only checkpoint. Imports only ``arch``, ``estimators``, ``ops`` and
``supernets`` (torch alone); loading a run's checkpoint is the engine's
(``nas_backbones.engine.load_model``), the end-of-run hook is
``engine.hooks.AtomNASExportHook``, the released-weights converters are
``engine.released``."""
from .atomnas_export import export_atomnas
from .atomnas_export import export_from_model as export_atomnas_model
from .attentive_export import export_attentive_subnet, export_from_model

__all__ = ['export_atomnas', 'export_atomnas_model', 'export_attentive_subnet',
           'export_from_model']
