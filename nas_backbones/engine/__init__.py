"""Training machinery on top of mmengine (registering): the runner that reads
its own checkpoints, the one checkpoint reader, model loading from a run
(``load_model``), the released-weights converters, data-root checks and the
run summary used by tools/."""
from .checkpoint import (allow_run_checkpoints, key_prefix, load_run_checkpoint, read_weights,
                         weights_only_loads)
from .data_root import DataRootNotFoundError, check_data_roots
from .released import (ConversionError, ReleasedCheckpointError, convert_released_atomnas,
                       load_released_checkpoint, supernet_from_released)
from .model_loading import build_model, load_model, load_weights
from .runner import NASRunner
from .summary import arch_of_config, train_summary

__all__ = ['allow_run_checkpoints', 'key_prefix', 'load_run_checkpoint', 'read_weights',
           'weights_only_loads', 'build_model', 'load_model', 'load_weights',
           'DataRootNotFoundError', 'check_data_roots', 'ConversionError',
           'ReleasedCheckpointError', 'convert_released_atomnas', 'load_released_checkpoint',
           'supernet_from_released', 'NASRunner', 'arch_of_config', 'train_summary']

from . import hooks, loops  # noqa: F401,E402  (registering)
from . import optimizers  # noqa: F401,E402  (registering: RMSpropTF)
from . import schedulers  # noqa: F401,E402  (registering: WarmupExpDecayLR, WarmupCosineLR)
