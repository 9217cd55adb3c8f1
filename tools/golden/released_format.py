"""The authors' released file formats, and the deterministic rules behind the
golden fixtures of the converters (tests/test_engine/fixtures/).

Shared by ``tools/golden/make_released_fixtures.py`` (which runs the
original model code, from a path given on its command line, on weights made
by these rules) and the tests (which rebuild the same weights without the
original code, write them exactly as the authors' savers do, convert them
and compare with the original logits). Nothing here imports the authors'
code.

Writers (what a released file holds, from the authors' savers):

* AttentiveNAS / AlphaNet ``utils/saver.py: save_checkpoint``:
  ``torch.save({'epoch', 'args', 'state_dict', 'optimizer', 'lr_scheduler'},
  f, _use_new_zipfile_serialization=False)``, ``args`` a
  ``utils.config.Config``, keys ``module.``-prefixed (DDP).
* AtomNAS ``utils/common.py: save_status``: ``torch.save({'model',
  'optimizer', 'ema', 'last_epoch', 'best_val', 'meters'}, '<name>.pt')``
  (torch 1.x, legacy format), ``ema = {'info', 'shadow', 'param'}``
  (``utils/optim.py``), ``meters`` ``utils.meters.ScalarMeter`` objects whose
  ``values`` hold numpy float32 scalars, ``best_val`` a CUDA tensor; and
  ``<name>.yml`` = ``str(model_kwparams)``.

The authors' classes are rebuilt here as small look-alikes registered under
their module names (``utils.config``, ``utils.meters``) only while pickling,
so the pickle references exactly the globals a released file does.
"""
from __future__ import annotations

import contextlib
import json
import sys
import types
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Iterator, Union

import numpy as np
import torch

FIXTURES = Path(__file__).resolve().parents[2] / 'tests' / 'test_engine' / 'fixtures'
# RGB mean / std in 0-255 (AttentiveNAS data/data_transform.py; AtomNAS uses
# the same ImageNet statistics in 0-1).
MEAN_RGB = (123.675, 116.28, 103.53)
STD_RGB = (58.395, 57.12, 57.375)

# ----------------------------------------------------------------- fill rule
# Scales that keep activations O(1) through 20-40 blocks with random weights
# (``conv_gain`` per fixture: the + variants' SE/Swish blocks need 1.4 for
# their logits to depend on the input rather than on the BN offsets alone).
KINDS = ('conv', 'linear', 'bias', 'bn_weight', 'bn_bias', 'bn_mean', 'bn_var', 'bn_count')


def fill_tensor(key: str, shape: tuple, kind: str, seed: int,
                conv_gain: float = 1.0) -> torch.Tensor:
    """The deterministic value of one tensor: numpy's legacy RandomState
    (whose streams numpy keeps stable across versions) seeded by the key."""
    rs = np.random.RandomState(zlib.crc32(f'{seed}:{key}'.encode()) & 0x7FFFFFFF)
    shape = tuple(shape)
    if kind == 'bn_count':
        return torch.tensor(int(rs.randint(100, 10000)), dtype=torch.long)
    if kind == 'conv':
        fan_in = int(np.prod(shape[1:]))
        v = rs.standard_normal(shape) * (conv_gain / np.sqrt(fan_in))
    elif kind == 'linear':
        v = rs.standard_normal(shape) * (1.0 / np.sqrt(shape[1]))
    elif kind == 'bias':
        v = rs.standard_normal(shape) * 0.1
    elif kind == 'bn_weight':
        v = rs.uniform(0.5, 1.5, shape)
    elif kind in ('bn_bias', 'bn_mean'):
        v = rs.standard_normal(shape) * 0.2
    elif kind == 'bn_var':
        v = rs.uniform(0.5, 2.0, shape)
    else:
        raise ValueError(f'kind: {kind!r} not in {KINDS}')
    return torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32))


def fill_state_dict(manifest: list, seed: int,
                    conv_gain: float = 1.0) -> 'OrderedDict[str, torch.Tensor]':
    """``manifest`` rows ``[key, shape, kind]`` -> a state dict by the rule."""
    return OrderedDict((k, fill_tensor(k, s, kind, seed, conv_gain)) for k, s, kind in manifest)


def manifest_of(module: torch.nn.Module) -> list:
    """``[key, shape, kind]`` of every state-dict entry of ``module`` (what
    the generator records from the original model)."""
    kinds = {}
    for mname, m in module.named_modules():
        prefix = f'{mname}.' if mname else ''
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            names = {'weight': 'bn_weight', 'bias': 'bn_bias', 'running_mean': 'bn_mean',
                     'running_var': 'bn_var', 'num_batches_tracked': 'bn_count'}
        elif isinstance(m, torch.nn.Conv2d):
            names = {'weight': 'conv', 'bias': 'bias'}
        elif isinstance(m, torch.nn.Linear):
            names = {'weight': 'linear', 'bias': 'bias'}
        else:
            names = {}
        for n, kind in names.items():
            kinds[prefix + n] = kind
    rows = []
    for k, v in module.state_dict().items():
        if k not in kinds:
            raise ValueError(f'manifest: no fill rule for {k} ({tuple(v.shape)})')
        rows.append([k, list(v.shape), kinds[k]])
    return rows


# ------------------------------------------------------------------- inputs
def to_input(images: np.ndarray) -> torch.Tensor:
    """uint8 RGB images (N, H, W, 3) -> normalised float32 (N, 3, H, W), the
    same arithmetic as mmpretrain's ClsDataPreprocessor."""
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float()
    mean = torch.tensor(MEAN_RGB).view(-1, 1, 1)
    std = torch.tensor(STD_RGB).view(-1, 1, 1)
    return (x - mean) / std


def centre_crop(images: np.ndarray, size: int) -> np.ndarray:
    """Centre ``size`` crop (mmcv's CenterCrop offsets for even margins)."""
    h, w = images.shape[1:3]
    top, left = (h - size) // 2, (w - size) // 2
    return images[:, top:top + size, left:left + size]


def calibration_images(images: np.ndarray, num_batches: int = 3, size: int = 224) -> list:
    """uint8 batches for BN recalibration made from ``images`` by exact
    integer operations (rolls, flips, channel order, crop)."""
    batches = []
    for b in range(num_batches):
        x = np.roll(images, shift=(37 * (b + 1), 53 * (b + 1)), axis=(1, 2))
        if b % 2:
            x = x[:, :, ::-1]
        x = x[..., [(b + c) % 3 for c in range(3)]]
        batches.append(np.ascontiguousarray(centre_crop(x, size)))
    return batches


# ------------------------------------------------------- authors' classes
class _AttrDict(dict):
    """facebookresearch/AttentiveNAS utils/config.py: AttrDict (a dict whose
    ``__dict__`` is itself; nested dicts become AttrDicts)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__ = self
        for key, value in self.items():
            if isinstance(value, dict):
                self[key] = type(self)._child(value)

    @classmethod
    def _child(cls, value):
        return sys.modules['utils.config'].AttrDict(value)


class _Meter:
    """meijieru/AtomNAS utils/meters.py: Meter."""

    def __init__(self, name):
        self.name, self.steps, self.values = name, 0, []


@contextlib.contextmanager
def authors_modules() -> Iterator[types.SimpleNamespace]:
    """Register look-alikes of the authors' ``utils.config`` / ``utils.meters``
    classes under those module names for the duration (pickle stores a class
    by module and name, and checks it can import it back)."""
    config = types.ModuleType('utils.config')
    meters = types.ModuleType('utils.meters')
    attr = type('AttrDict', (_AttrDict,), {'__module__': 'utils.config'})
    cfg = type('Config', (attr,), {'__module__': 'utils.config'})
    meter = type('Meter', (_Meter,), {'__module__': 'utils.meters'})
    scalar = type('ScalarMeter', (meter,), {'__module__': 'utils.meters'})
    config.AttrDict, config.Config = attr, cfg
    meters.Meter, meters.ScalarMeter = meter, scalar
    pkg = types.ModuleType('utils')
    pkg.config, pkg.meters = config, meters
    saved = {n: sys.modules.get(n) for n in ('utils', 'utils.config', 'utils.meters')}
    sys.modules.update({'utils': pkg, 'utils.config': config, 'utils.meters': meters})
    try:
        yield types.SimpleNamespace(Config=cfg, AttrDict=attr, ScalarMeter=scalar)
    finally:
        for n, m in saved.items():
            if m is None:
                sys.modules.pop(n, None)
            else:
                sys.modules[n] = m


def _with_metadata(state: dict, prefix: str = 'module.') -> OrderedDict:
    """A ``module.state_dict()`` look-alike: prefixed keys and ``_metadata``."""
    out = OrderedDict((prefix + k, v) for k, v in state.items())
    out._metadata = OrderedDict([('', {'version': 1}), ('module', {'version': 1})])
    return out


@contextlib.contextmanager
def _cuda_location(tensors: list) -> Iterator[None]:
    """Tag the storages of ``tensors`` as 'cuda:0' while saving (released
    files were written on GPUs); loaders must map them to the CPU."""
    registry = getattr(torch.serialization, '_package_registry', None)
    ptrs = {t.untyped_storage().data_ptr() for t in tensors}

    def tagger(obj):
        if isinstance(obj, (torch.storage.TypedStorage, torch.UntypedStorage)):
            storage = obj._untyped_storage if isinstance(obj, torch.storage.TypedStorage) else obj
            if storage.data_ptr() in ptrs:
                return 'cuda:0'
        return None

    if registry is None:  # private API moved: keep the CPU tag
        yield
        return
    entry = (-1, tagger, lambda obj, location: None)
    registry.insert(0, entry)
    try:
        yield
    finally:
        registry.remove(entry)


def write_attentivenas_file(path: Union[str, Path], state_dict: dict, epoch: int = 360,
                            legacy: bool = True) -> Path:
    """A file as AttentiveNAS' ``save_checkpoint`` writes it (see the module
    docstring), with a small optimizer / scheduler state."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    first = next(iter(state_dict.values()))
    with authors_modules() as authors:
        args = authors.Config({
            'arch': 'attentive_nas_dynamic_model', 'bn_momentum': 0, 'bn_eps': 1e-5,
            'lr_scheduler': {'method': 'warmup_cosine_lr', 'base_lr': 0.1, 'warmup_epochs': 5},
            'supernet_config': {'use_v3_head': True, 'resolutions': [192, 224, 256, 288]},
            'sandwich_rule': True, 'seed': 0})
        ckpt = {
            'epoch': epoch,
            'args': args,
            'state_dict': _with_metadata(state_dict),
            'optimizer': {'state': {0: {'momentum_buffer': torch.zeros_like(first)}},
                          'param_groups': [{'lr': 0.0, 'momentum': 0.9, 'nesterov': True,
                                            'weight_decay': 1e-5, 'params': [0]}]},
            'lr_scheduler': {'max_iters': 225000, 'warmup_factor': 0.001, 'warmup_iters': 3125,
                             'warmup_method': 'linear', 'clamp_lr': 0.0, 'base_lrs': [0.8],
                             'last_epoch': 225000, '_step_count': 225001, 'verbose': False,
                             '_get_lr_called_within_step': False, '_last_lr': [0.0]},
        }
        with open(path, 'wb') as f:
            torch.save(ckpt, f, _use_new_zipfile_serialization=not legacy)
    return path


def write_atomnas_files(stem: Union[str, Path], model_state: dict, shadow: dict,
                        kwparams: dict, legacy: bool = True) -> tuple[Path, Path]:
    """``<stem>.pt`` and ``<stem>.yml`` as AtomNAS' ``save_status`` writes them."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    best_val = torch.tensor(0.254)
    info = OrderedDict((k, {'num_updates': 1100000, 'last_momemtum': 0.9999, 'zero_init': False,
                            'compress_masked': False}) for k in shadow)
    with authors_modules() as authors:
        meters = []
        for phase in ('train', 'val'):
            group = {}
            for name in ('loss', 'top1_error', 'top5_error'):
                m = authors.ScalarMeter(f'{phase}_{name}')
                # forward_loss caches numpy float32 errors left over since the last flush.
                m.values = [np.float32(0.25), np.float32(0.5)] if phase == 'train' else []
                m.steps = 7
                group[name] = m
            meters.append(group)
        ckpt = {
            'model': _with_metadata(model_state),
            'optimizer': {'state': {}, 'param_groups': [{'lr': 0.0, 'momentum': 0.9,
                                                         'alpha': 0.9, 'eps': 1e-3,
                                                         'params': [0]}]},
            'ema': {'info': info, 'shadow': OrderedDict(shadow),
                    'param': {'momentum': 0.9999, 'zero_debias': False}},
            'last_epoch': 349,
            'best_val': best_val,
            'meters': tuple(meters),
        }
        with _cuda_location([best_val]):
            torch.save(ckpt, f'{stem}.pt', _use_new_zipfile_serialization=not legacy)
    Path(f'{stem}.yml').write_text(str(kwparams))
    return Path(f'{stem}.pt'), Path(f'{stem}.yml')


# ---------------------------------------------------------------- fixtures
def load_manifest(name: str, root: Path = FIXTURES) -> dict:
    return json.loads((root / f'{name}.json').read_text())


def load_arrays(name: str, root: Path = FIXTURES) -> dict:
    with np.load(root / f'{name}.npz') as data:
        return {k: data[k] for k in data.files}


def attentivenas_file_from_fixture(path: Union[str, Path], legacy: bool = True,
                                   root: Path = FIXTURES) -> Path:
    """The released-format supernet file whose original logits the fixture holds."""
    info = load_manifest('attentivenas_supernet', root)
    state = fill_state_dict(info['manifest'], info['seed'], info['conv_gain'])
    return write_attentivenas_file(path, state, legacy=legacy)


def atomnas_files_from_fixture(stem: Union[str, Path], name: str, legacy: bool = True,
                               root: Path = FIXTURES) -> tuple[Path, Path]:
    """The released-format ``.pt`` + ``.yml`` of AtomNAS fixture ``name``."""
    info = load_manifest(name, root)
    state = fill_state_dict(info['manifest'], info['seed'], info['conv_gain'])
    tracked = set(info['shadow_keys'])
    shadow = fill_state_dict([r for r in info['manifest'] if r[0] in tracked],
                             info['shadow_seed'], info['conv_gain'])
    return write_atomnas_files(stem, state, shadow, info['kwparams'], legacy=legacy)


def write_image_folder(root: Union[str, Path], splits: dict) -> Path:
    """An mmpretrain ImageNet-layout folder of lossless PNGs:
    ``splits = {'train': [uint8 RGB (H, W, 3), ...], 'val': [...]}``, all of
    class 0, listed in ``meta/<split>.txt`` in the given order."""
    from PIL import Image
    root = Path(root)
    (root / 'meta').mkdir(parents=True, exist_ok=True)
    for split, images in splits.items():
        lines = []
        for i, img in enumerate(images):
            rel = f'n00000000/{split}_{i:03d}.png'
            (root / split / 'n00000000').mkdir(parents=True, exist_ok=True)
            Image.fromarray(np.ascontiguousarray(img)).save(root / split / rel)
            lines.append(f'{rel} 0')
        (root / 'meta' / f'{split}.txt').write_text('\n'.join(lines) + '\n')
    return root


def exact_calib_options(data_root: Union[str, Path], batch_size: int) -> dict:
    """``--cfg-options`` that make an evaluation config's ``calib_dataloader``
    yield the images of ``data_root``'s train split as they are, in order."""
    return {'calib_dataloader.dataset.data_root': str(data_root),
            'calib_dataloader.dataset.pipeline': [dict(type='LoadImageFromFile'),
                                                  dict(type='PackInputs')],
            'calib_dataloader.sampler.shuffle': False,
            'calib_dataloader.batch_size': batch_size,
            'calib_dataloader.num_workers': 0}
