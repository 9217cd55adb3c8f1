"""NASRunner: mmengine's Runner, reading its own training checkpoints under
torch's weights_only default.

Why a Runner subclass rather than patching mmengine's ``CheckpointLoader``
on import: importing nas_backbones then changes nothing for other code in
the process, and the relaxation covers exactly the two paths that read run
checkpoints (``resume`` goes through ``load_checkpoint``). Configs select it
with ``runner_type = 'NASRunner'`` (configs/_base_/default_runtime.py).
"""
from __future__ import annotations

from mmengine.runner import Runner

from ..registry import RUNNERS
from .checkpoint import allow_run_checkpoints, weights_only_loads


@RUNNERS.register_module()
class NASRunner(Runner):
    """mmengine Runner whose ``load_checkpoint`` (used by ``--resume``,
    ``load_from`` and tools/test.py) accepts mmengine's message-hub and numpy
    entries, still with torch's restricted unpickler
    (see ``nas_backbones.engine.checkpoint``). Arguments as ``Runner``."""

    def load_checkpoint(self, filename: str, map_location='cpu', strict: bool = False,
                        revise_keys: list = [(r'^module.', '')]):  # noqa: B006 (mmengine's default)
        # As the engine's one reader (checkpoint.load_run_checkpoint): torch's
        # restricted unpickler for every scheme, URLs included.
        with weights_only_loads(), allow_run_checkpoints():
            return super().load_checkpoint(filename, map_location=map_location, strict=strict,
                                           revise_keys=revise_keys)
