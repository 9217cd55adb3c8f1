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
methods.

This module is the project's one checkpoint reader: :func:`load_run_checkpoint`
(the whole file) and :func:`read_weights` (its state dict) go through
mmengine's ``CheckpointLoader`` (local paths and every URL scheme it knows:
http(s)://, torchvision://, open-mmlab://, s3://, ...) inside
:func:`weights_only_loads`: mmengine's loaders call ``torch.load`` without
``weights_only`` (local files: torch's default, restricted since torch 2.6
but switched off by ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``) or through
``torch.hub.load_state_dict_from_url``, which passes ``weights_only=False``
(URLs); ``TORCH_FORCE_WEIGHTS_ONLY_LOAD=1`` makes torch use its restricted
unpickler in every one of those calls, so no file runs code whatever scheme
it comes from. :func:`key_prefix` finds under which prefix a file holds a
module's keys.

Hooks that save state into checkpoints (samplers, shrinking) must store plain
data (dicts, lists, tuples, numbers, strings, tensors) so that it loads here.
"""
from __future__ import annotations

import contextlib
import os
import pickle
from pathlib import Path
from typing import Any, Iterator, Optional, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

_FORCE, _FORCE_NO = 'TORCH_FORCE_WEIGHTS_ONLY_LOAD', 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'

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


@contextlib.contextmanager
def weights_only_loads() -> Iterator[None]:
    """Within the block every ``torch.load`` uses the restricted unpickler
    (also where the caller passes ``weights_only=False``)."""
    saved = {k: os.environ.pop(k, None) for k in (_FORCE, _FORCE_NO)}
    os.environ[_FORCE] = '1'
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def load_run_checkpoint(filename: Union[str, Path], map_location: Any = 'cpu') -> dict:
    """Load a whole checkpoint (an mmengine Runner's, an exported or a
    published one), weights-only, through mmengine's ``CheckpointLoader``.

    Args:
        filename (str | Path): Local path or URL (any scheme of
            ``CheckpointLoader``).
        map_location: As for ``torch.load``. Defaults to 'cpu'.

    Raises:
        FileNotFoundError: no such local file.
        pickle.UnpicklingError: the file pickles a global outside the
            allowlist (code, or objects other than tensors and plain data).
    """
    with weights_only_loads(), allow_run_checkpoints():
        return CheckpointLoader.load_checkpoint(str(filename), map_location=map_location)


def read_weights(checkpoint: Union[str, Path], map_location: Any = 'cpu',
                 what: str = 'checkpoint') -> dict:
    """The state dict of a checkpoint (its 'state_dict' entry, or the file
    itself when it is a bare state dict), read by :func:`load_run_checkpoint`.

    Args:
        checkpoint (str | Path): Local path or URL.
        map_location: As for ``torch.load``. Defaults to 'cpu'.
        what (str): How errors name the file's origin (e.g.
            'init_cfg.checkpoint'). Defaults to 'checkpoint'.

    Raises:
        FileNotFoundError: naming ``what`` and the path.
        ValueError: the file is not weights-only, or holds no state dict.
    """
    name = str(checkpoint)
    try:
        ckpt = load_run_checkpoint(name, map_location)
    except FileNotFoundError:
        raise FileNotFoundError(f'{what}: file not found: {name}') from None
    except pickle.UnpicklingError as e:  # the restricted unpickler refused a global
        raise ValueError(f'{name}: not a weights-only checkpoint (it pickles code or objects '
                         f'other than tensors and plain data): {str(e).splitlines()[0]}') from None
    if isinstance(ckpt, dict) and 'state_dict' in ckpt:
        ckpt = ckpt['state_dict']
    if not isinstance(ckpt, dict):
        raise ValueError(f'{name}: expected a state dict, got {type(ckpt).__name__}')
    return ckpt


def key_prefix(state: dict, expected: dict) -> Optional[str]:
    """The shortest prefix under which ``state`` holds the keys of a module
    whose own state dict is ``expected`` ('backbone.' for a classifier
    checkpoint, '' for a bare net), found by its first key; None if no key
    of ``state`` ends with it."""
    first = next(iter(expected), None)
    found = sorted({k[:-len(first)] for k in state if first and k.endswith(first)}, key=len)
    return found[0] if found else None
