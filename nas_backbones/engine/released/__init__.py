"""The authors' released weights -> our checkpoints: checkpoint loading and
conversion, not supernet -> static export (that is ``nas_backbones.export``).

``reader`` opens the authors' pickled training states with a restricted
unpickler; ``common`` holds the strict key-mapping report and errors;
``atomnas`` / ``attentivenas`` map each family's keys; ``calib`` builds the
evaluation classifier and recalibrates its BN. ``tools/model_converters/*``
are thin command lines over these.
"""
from .atomnas import convert_released_atomnas
from .attentivenas import supernet_from_released
from .common import ConversionError
from .reader import ReleasedCheckpointError, load_released_checkpoint

__all__ = ['convert_released_atomnas', 'supernet_from_released', 'ConversionError',
           'ReleasedCheckpointError', 'load_released_checkpoint']
