"""Training machinery on top of mmengine (registering): the runner that reads
its own checkpoints, data-root checks and the run summary used by tools/."""
from .checkpoint import allow_run_checkpoints, load_run_checkpoint
from .data_root import DataRootNotFoundError, check_data_roots
from .released_checkpoint import ReleasedCheckpointError, load_released_checkpoint
from .runner import NASRunner
from .summary import arch_of_config, train_summary

__all__ = ['allow_run_checkpoints', 'load_run_checkpoint', 'DataRootNotFoundError',
           'check_data_roots', 'ReleasedCheckpointError', 'load_released_checkpoint', 'NASRunner',
           'arch_of_config', 'train_summary']

from . import hooks, loops  # noqa: F401,E402  (registering)
from . import optimizers  # noqa: F401,E402  (registering: RMSpropTF)
from . import schedulers  # noqa: F401,E402  (registering: WarmupExpDecayLR, WarmupCosineLR)
