"""Reading the authors' released checkpoints without running code from them.

The released files are whole training states pickled by the authors' code:

* AttentiveNAS / AlphaNet ``*.pth.tar`` (``utils/saver.py`` of
  facebookresearch/AttentiveNAS): ``{epoch, args, state_dict, optimizer,
  lr_scheduler}`` written with ``_use_new_zipfile_serialization=False``;
  ``args`` is a ``utils.config.Config`` (a dict subclass of their code).
* AtomNAS ``<name>.pt`` (``utils/common.py: save_status`` of
  meijieru/AtomNAS): ``{model, optimizer, ema, last_epoch, best_val,
  meters}``; ``meters`` holds ``utils.meters.ScalarMeter`` objects and may
  hold numpy scalars, ``best_val`` is a (CUDA) tensor.

torch's ``weights_only`` loader refuses them (their classes are not
importable here), and ``weights_only=False`` would import and run whatever
the pickle names. :func:`load_released_checkpoint` instead runs torch's own
reader (zip and legacy formats, storages, locations mapped to CPU) with a
restricted unpickler: tensors, containers and plain values load, the
authors' config/meter classes become inert :class:`ReleasedObject` stubs
that only hold their pickled data, and any other global (``os.system``,
``builtins.eval``, a model class, ...) is refused naming it.
"""
from __future__ import annotations

import _compat_pickle
import codecs
import collections
import io
import pickle
import zipfile
from pathlib import Path
from typing import Any, Union

import numpy as np
import torch

# The authors' classes a released file pickles: (module, name) -> base of the stub.
# AttentiveNAS/AlphaNet: utils/config.py (the `args` of save_checkpoint);
# AtomNAS: utils/meters.py (the `meters` of save_status).
AUTHOR_CLASSES = {
    ('utils.config', 'Config'): dict,
    ('utils.config', 'AttrDict'): dict,
    ('utils.meters', 'Meter'): object,
    ('utils.meters', 'ScalarMeter'): object,
}


class ReleasedCheckpointError(ValueError):
    """A released file that cannot be read: not found, truncated or corrupt,
    of another family, or asking to unpickle something that is not data."""


class ReleasedObject:
    """Inert stand-in for an object of the authors' code.

    ``source`` names the class the file asked for; ``state`` is the plain data
    its pickle carried (the instance ``__dict__``). No method of the original
    class exists here, so nothing from it runs.
    """
    source = ''

    def __init__(self, *args, **kwargs):  # only reached if a pickle calls the class
        self.state = {'args': args, 'kwargs': kwargs}

    def __setstate__(self, state: Any) -> None:
        self.state = state

    def __repr__(self) -> str:
        return f'<{self.source} (inert stub)>'


class ReleasedDict(dict):
    """Inert stand-in for the authors' dict subclasses (``utils.config.Config``,
    ``AttrDict``): the items are the config; attributes are not restored
    (their ``__dict__`` is the dict itself)."""
    source = ''

    def __setstate__(self, state: Any) -> None:
        if state is not self and isinstance(state, dict):
            self.update(state)

    def __repr__(self) -> str:
        return f'<{self.source} (inert stub) {dict.__repr__(self)}>'


def _stub_classes() -> dict:
    stubs = {}
    for (module, name), base in AUTHOR_CLASSES.items():
        parent = ReleasedDict if base is dict else ReleasedObject
        stubs[(module, name)] = type(name, (parent,), {'source': f'{module}.{name}',
                                                       '__module__': __name__})
    return stubs


STUBS = _stub_classes()

class RefusedGlobal(pickle.UnpicklingError):
    """The pickle named a global that is not data (carries its dotted name)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


# numpy dtype kinds of plain numbers / bools / strings; 'O' (objects) and 'V'
# (structured records) are refused.
_PLAIN_DTYPE_KINDS = set('biufcSU?')


def _numpy_dtype(*args):
    dtype = np.dtype(*args)
    if dtype.kind not in _PLAIN_DTYPE_KINDS:
        raise RefusedGlobal(f'numpy.dtype({dtype!r}) (not a plain numeric dtype)')
    return dtype


def _numpy_scalar(dtype, data=None):
    if not isinstance(dtype, np.dtype) or dtype.kind not in _PLAIN_DTYPE_KINDS:
        raise RefusedGlobal(f'numpy scalar of dtype {dtype!r} (not plain data)')
    core = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray
    return core.scalar(dtype, data)


def _numpy_reconstruct(subtype, shape, dtype):
    if subtype is not np.ndarray:
        raise RefusedGlobal(f'numpy array subclass {subtype!r}')
    core = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray
    return core._reconstruct(subtype, shape, dtype)


def _codecs_encode(text, encoding='utf-8', *rest):
    # Protocol-2 pickles store ``bytes`` as codecs.encode(str, 'latin1').
    if rest or not isinstance(text, str) or encoding not in ('latin1', 'latin-1'):
        raise RefusedGlobal('_codecs.encode with arguments other than (str, "latin1")')
    return codecs.encode(text, encoding)


def _allowed_globals() -> dict:
    allowed = {
        ('collections', 'OrderedDict'): collections.OrderedDict,
        ('builtins', 'set'): set,
        ('builtins', 'frozenset'): frozenset,
        ('builtins', 'complex'): complex,
        ('builtins', 'bytearray'): bytearray,
        ('_codecs', 'encode'): _codecs_encode,
        ('torch', 'Size'): torch.Size,
        ('torch._utils', '_rebuild_tensor'): torch._utils._rebuild_tensor,
        ('torch._utils', '_rebuild_tensor_v2'): torch._utils._rebuild_tensor_v2,
        ('torch._utils', '_rebuild_parameter'): torch._utils._rebuild_parameter,
        ('numpy', 'dtype'): _numpy_dtype,
        ('numpy', 'ndarray'): np.ndarray,
    }
    # numpy 1.x pickles name numpy.core, numpy 2.x numpy._core.
    for core in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        allowed[(core, 'scalar')] = _numpy_scalar
        allowed[(core, '_reconstruct')] = _numpy_reconstruct
    for name in dir(torch):
        if isinstance(getattr(torch, name, None), torch.dtype):
            allowed[('torch', name)] = getattr(torch, name)
    allowed.update(STUBS)
    return allowed


ALLOWED_GLOBALS = _allowed_globals()


class RestrictedUnpickler(pickle.Unpickler):
    """pickle.Unpickler whose ``find_class`` only returns allow-listed data
    constructors and the authors' stubs (Python docs, "Restricting Globals")."""

    def find_class(self, module: str, name: str):
        # Protocol-2 pickles (torch.save's default) name Python 2 modules
        # ('__builtin__.set'); map them as pickle's own find_class does.
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        found = ALLOWED_GLOBALS.get((module, name))
        if found is None:
            raise RefusedGlobal(f'{module}.{name}')
        return found


class _RestrictedPickleModule:
    """The ``pickle_module`` torch.load calls: ``Unpickler`` and ``load``."""
    Unpickler = RestrictedUnpickler
    UnpicklingError = pickle.UnpicklingError

    @staticmethod
    def load(file, **kwargs):
        return RestrictedUnpickler(file, **kwargs).load()


def _check_not_torchscript(path: Path, raw: bytes) -> None:
    # torch.load hands a TorchScript archive to torch.jit.load (code!): refuse first.
    if not raw.startswith(b'PK'):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile as e:
        raise ReleasedCheckpointError(
            f'{path}: truncated or corrupt checkpoint (a broken zip archive: {e})') from None
    if any(n.endswith('constants.pkl') or '/code/' in n for n in names):
        raise ReleasedCheckpointError(
            f'{path}: a TorchScript archive (it carries code), not a released checkpoint')


def load_released_checkpoint(path: Union[str, Path]) -> dict:
    """Load a released ``.pth.tar`` / ``.pt`` as plain data, on the CPU.

    Args:
        path (str | Path): The file.

    Returns:
        dict: The pickled mapping; tensors are CPU tensors, the authors'
        objects are :class:`ReleasedObject` / :class:`ReleasedDict` stubs.

    Raises:
        ReleasedCheckpointError: Missing, truncated or corrupt file, or a
            pickle that names a global other than tensors/containers/plain
            values (the message names the global).
    """
    path = Path(path)
    if not path.is_file():
        raise ReleasedCheckpointError(f'{path}: file not found')
    raw = path.read_bytes()
    if not raw:
        raise ReleasedCheckpointError(f'{path}: empty file')
    _check_not_torchscript(path, raw)
    try:
        ckpt = torch.load(io.BytesIO(raw), map_location='cpu',
                          pickle_module=_RestrictedPickleModule, weights_only=False)
    except RefusedGlobal as e:
        raise ReleasedCheckpointError(
            f"{path}: refusing to unpickle global '{e.name}': a released checkpoint may hold "
            f"only tensors, containers, plain values and the authors' config/meter objects "
            f"({', '.join(f'{m}.{n}' for m, n in AUTHOR_CLASSES)}); this file asks to import or "
            f"run something else, so it is not read") from None
    except (EOFError, pickle.UnpicklingError, RuntimeError, ValueError, KeyError, IndexError,
            TypeError, AttributeError, OverflowError, UnicodeDecodeError) as e:
        detail = str(e).splitlines()[0] if str(e) else 'no detail'
        raise ReleasedCheckpointError(
            f'{path}: truncated or corrupt checkpoint, torch cannot read it '
            f'({e.__class__.__name__}: {detail})') from None
    if not isinstance(ckpt, dict):
        raise ReleasedCheckpointError(
            f'{path}: expected a pickled mapping (a training state), got {type(ckpt).__name__}')
    return ckpt


# The top-level fields each family's saver writes (see the module docstring).
FAMILY_FIELDS = {
    'attentivenas': ('epoch', 'args', 'state_dict', 'optimizer', 'lr_scheduler'),
    'atomnas': ('model', 'optimizer', 'ema', 'last_epoch', 'best_val', 'meters'),
}
CONVERTERS = {'attentivenas': 'tools/model_converters/attentivenas_to_nas_backbones.py',
              'atomnas': 'tools/model_converters/atomnas_to_nas_backbones.py'}


def released_family(ckpt: dict) -> str:
    """'attentivenas' (also AlphaNet), 'atomnas', or 'nas_backbones' for a
    file this project wrote (``state_dict`` + ``meta``); ValueError otherwise."""
    keys = set(ckpt)
    for family, fields in FAMILY_FIELDS.items():
        if {'state_dict' if family == 'attentivenas' else 'model'} <= keys and \
                len(keys & set(fields)) >= len(fields) - 1:
            return family
    if 'state_dict' in keys and ('meta' in keys or 'message_hub' in keys):
        return 'nas_backbones'
    raise ReleasedCheckpointError(
        f'not a released AttentiveNAS/AlphaNet ({sorted(FAMILY_FIELDS["attentivenas"])}) or '
        f'AtomNAS ({sorted(FAMILY_FIELDS["atomnas"])}) checkpoint: its top-level keys are '
        f'{sorted(map(str, keys))[:12]}')


def expect_family(ckpt: dict, family: str, path: Union[str, Path]) -> None:
    """Raise ReleasedCheckpointError unless ``ckpt`` is of ``family``,
    naming what it is and which converter reads it."""
    try:
        found = released_family(ckpt)
    except ReleasedCheckpointError as e:
        raise ReleasedCheckpointError(f'{path}: {e}') from None
    if found == family:
        return
    if found == 'nas_backbones':
        raise ReleasedCheckpointError(
            f'{path}: a checkpoint written by nas_backbones (keys state_dict/meta), not a '
            f'released {family} file: it loads as is (init_cfg / load_from), no conversion needed')
    raise ReleasedCheckpointError(
        f'{path}: a released {found} checkpoint (keys {sorted(map(str, ckpt))}), not {family}; '
        f'convert it with {CONVERTERS[found]}')
