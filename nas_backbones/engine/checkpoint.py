"""Reading mmengine's own training checkpoints under torch's ``weights_only``
default (torch >= 2.6), without ever unpickling arbitrary code.

A checkpoint written by mmengine's Runner holds, next to tensors, the message
hub: ``HistoryBuffer`` objects with numpy arrays, numpy scalars (``eta``) and
a dict of the buffer's statistics methods, pickled as
``getattr(HistoryBuffer, 'mean')``. torch's restricted unpickler refuses all
of these, so ``--resume`` and ``load_from`` of a training checkpoint fail.

Why this and not ``weights_only=False`` for the run's files: the restricted
unpickler stays on for every file, so a checkpoint from elsewhere (a
``load_from`` of someone's run, a downloaded file) still runs no code; we
only name the few plain-data types mmengine writes. ``builtins.getattr`` is
not allowlisted as such (with it a file could read any attribute of any
allowlisted object): the pickle's ``getattr`` global is mapped to
:func:`history_buffer_method`, which only returns HistoryBuffer's public
methods. Published / exported weights are read by
``backbones.pretrained.read_weights`` with the default, narrower allowlist.

Hooks that save state into checkpoints (samplers, shrinking) must store plain
data (dicts, lists, tuples, numbers, strings, tensors) so that it loads here.
"""
from __future__ import annotations

import contextlib
import pickle
from typing import Any, Iterator

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

# numpy dtype classes of plain numeric / bool / str data. Object and void
# dtypes are left out: they are containers of arbitrary objects.
_NUMPY_DTYPE_NAMES = (
    'BoolDType', 'Int8DType', 'Int16DType', 'Int32DType', 'Int64DType', 'UInt8DType',
    'UInt16DType', 'UInt32DType', 'UInt64DType', 'ByteDType', 'UByteDType', 'ShortDType',
    'UShortDType', 'IntDType', 'UIntDType', 'LongDType', 'ULongDType', 'LongLongDType',
    'ULongLongDType', 'Float16DType', 'Float32DType', 'Float64DType', 'LongDoubleDType',
    'Complex64DType', 'Complex128DType', 'CLongDoubleDType', 'StrDType', 'BytesDType')


def history_buffer_method(obj: Any, name: str) -> Any:
    """The only ``getattr`` a run checkpoint may call: a public method of
    HistoryBuffer (its pickled ``statistics_methods``), nothing else.

    Args:
        obj: What the pickle asks an attribute of; must be HistoryBuffer.
        name (str): The attribute; must be a public callable of it.
    """
    if obj is not HistoryBuffer or not isinstance(name, str) or name.startswith('_') \
            or not callable(getattr(HistoryBuffer, name, None)):
        raise pickle.UnpicklingError(
            f'getattr({obj!r}, {name!r}) is not allowed in a run checkpoint')
    return getattr(HistoryBuffer, name)


def _numpy_globals() -> list:
    core = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray
    dtypes = getattr(np, 'dtypes', None)  # numpy >= 1.25
    classes = [getattr(dtypes, n) for n in _NUMPY_DTYPE_NAMES if dtypes and hasattr(dtypes, n)]
    return [core._reconstruct, core.scalar, np.ndarray, np.dtype, *classes]


def run_checkpoint_globals() -> list:
    """The extra globals a run checkpoint needs (see the module docstring)."""
    return [*_numpy_globals(), HistoryBuffer, (history_buffer_method, 'builtins.getattr')]


@contextlib.contextmanager
def allow_run_checkpoints() -> Iterator[None]:
    """Within the block, ``torch.load`` (weights-only) also accepts what
    mmengine's Runner writes into its checkpoints. Scoped, so library code
    elsewhere keeps torch's default allowlist."""
    with torch.serialization.safe_globals(run_checkpoint_globals()):
        yield


def load_run_checkpoint(filename: str, map_location: Any = 'cpu') -> dict:
    """Load a checkpoint written by an mmengine Runner, weights-only.

    Args:
        filename (str): Path of the ``.pth`` file.
        map_location: As for ``torch.load``. Defaults to 'cpu'.
    """
    with allow_run_checkpoints():
        return torch.load(filename, map_location=map_location, weights_only=True)
