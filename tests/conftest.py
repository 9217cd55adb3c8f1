"""Helpers shared by the test suite (one place, not one copy per file).

Tests mirror the package (tests/test_arch, tests/test_estimators, ...), have
unique basenames and no __init__.py; this file puts the repository root on
sys.path so tests can import ``tools.*``, and is importable as
``nas_conftest``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Before torch loads libgomp: OpenMP threads that spin while waiting make
# every op 10-100x slower when the cores are shared (parallel pytest runs,
# other jobs); passive waiting costs nothing measurable on an idle machine.
# Subprocesses (tools/*.py in end-to-end tests) inherit it.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Test modules import the helpers below as `from nas_conftest import ...`:
# `from conftest import ...` would get whichever conftest.py pytest loaded
# last (a subfolder may have its own), and `tests` is taken in site-packages.
# pytest always loads this file before any test module under tests/.
sys.modules.setdefault('nas_conftest', sys.modules[__name__])

# (MFLOPs, M params) of every zoo arch, in its family's convention
# (docs/flops_conventions.md#checks).
PUBLISHED_COSTS = {
    'atomnas_a': (258.29, 3.854),
    'atomnas_b': (326.05, 4.416),
    'atomnas_c': (359.86, 4.741),
    'atomnas_a_plus': (260.35, 4.687),
    'atomnas_b_plus': (328.79, 5.472),
    'atomnas_c_plus': (362.91, 5.927),
    'attentivenas_a0': (203.39, 9.033),
    'attentivenas_a1': (279.24, 9.532),
    'attentivenas_a2': (316.73, 11.268),
    'attentivenas_a3': (356.52, 12.954),
    'attentivenas_a4': (443.53, 11.954),
    'attentivenas_a5': (490.52, 12.784),
    'attentivenas_a6': (709.01, 15.386),
}
ZOO = sorted(PUBLISHED_COSTS)


def build_in_scope(cfg: dict, scope: str = 'nas_backbones'):
    """``MODELS.build(cfg)`` in ``scope`` (a config's default_scope), whatever
    scope an earlier Runner of the process left current."""
    from mmengine.registry import DefaultScope

    from nas_backbones.registry import MODELS
    with DefaultScope.overwrite_default_scope(scope):
        return MODELS.build(cfg)


class TinyDataset:
    """``n`` random 32x32 images whose brightness depends on the label: a
    dataset a tiny supernet learns in a few iterations (runner tests)."""

    def __init__(self, n=16, classes=4):
        import torch
        g = torch.Generator().manual_seed(0)
        self.labels = torch.arange(n) % classes
        self.images = torch.rand(n, 3, 32, 32, generator=g) * 128 + self.labels.view(-1, 1, 1, 1) * 30
        self.metainfo = {'classes': [str(i) for i in range(classes)]}

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        from mmpretrain.structures import DataSample
        return dict(inputs=self.images[i], data_samples=DataSample().set_gt_label(int(self.labels[i])))


def relative_error(ours, ref) -> float:
    """max |ours - ref| / max |ref| (``ours`` a tensor, ``ref`` an array)."""
    import numpy as np
    return float(np.abs(ours.detach().numpy() - ref).max() / np.abs(ref).max())


def check_norm_state(modules, train_state: bool) -> bool:
    """True when every BatchNorm among ``modules`` has ``training == train_state``."""
    from torch.nn.modules.batchnorm import _BatchNorm
    return all(m.training == train_state for mod in modules for m in mod.modules()
               if isinstance(m, _BatchNorm))


def run_tool(*args: str, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python ARGS...`` from the repo root, as a user would; output captured.

    Args:
        *args: Script path (relative to the repo) and its arguments.
        timeout (float): Seconds before the test fails. Defaults to 300.
        env (dict, optional): Extra environment variables.
    """
    full_env = {**os.environ, 'PYTHONUNBUFFERED': '1', **(env or {})}
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=full_env)


@pytest.fixture(scope='session')
def tiny_imagenet_demo(tmp_path_factory) -> Path:
    """A tiny ImageNet-layout demo set (5 classes, the fewest top-5 accepts;
    2 train / 1 val images per class, 32x32), built once per session by
    tools/data/build_imagenet_demo.py."""
    from tools.data.build_imagenet_demo import build_imagenet_demo
    return build_imagenet_demo(tmp_path_factory.mktemp('data') / 'imagenet_demo', classes=5,
                               train_per_class=2, val_per_class=1, size=32)


# Fixtures of the downstream tests (configs/mask_rcnn, configs/transfer,
# nas_backbones.downstream, their tools): exported checkpoints and the demo sets.

def export_checkpoint(path: Path, arch: str, prefix: str = 'backbone.', head: bool = True) -> Path:
    """A weights-only checkpoint laid out as tools/export.py writes it
    (``{'state_dict', 'meta'}``, ImageClassifier key names)."""
    import torch

    from nas_backbones.backbones import SearchedMobileNet
    from nas_backbones.downstream import cls_head_dims
    backbone = SearchedMobileNet(arch)
    state = {prefix + k: v for k, v in backbone.state_dict().items()}
    if head:
        dims = cls_head_dims(arch)
        width = dims['mid_channels'] or dims['in_channels']
        if dims['mid_channels']:
            state['head.mid_fc.0.weight'] = torch.randn(width, dims['in_channels'])
        state['head.fc.weight'] = torch.zeros(1000, width)
        state['head.fc.bias'] = torch.zeros(1000)
    torch.save({'state_dict': state, 'meta': {'arch': arch}}, path)
    return path


@pytest.fixture
def exported(tmp_path):
    """``exported(arch, prefix='backbone.')`` -> path of an exported checkpoint."""
    def make(arch, prefix='backbone.', head=True):
        return export_checkpoint(tmp_path / f'{arch}_{len(prefix)}.pth', arch, prefix, head)
    return make


@pytest.fixture(scope='session')
def coco_demo(tmp_path_factory):
    """A small COCO-format demo set (tools/data/build_coco_demo.py)."""
    from tools.data.build_coco_demo import build_coco_demo
    return build_coco_demo(tmp_path_factory.mktemp('coco') / 'demo', train_images=8,
                           val_images=4, canvas=96)


@pytest.fixture(scope='session')
def finegrained_demo(tmp_path_factory):
    """The three fine-grained fixtures in ``<root>/<dataset>``."""
    from tools.data.build_finegrained_demo import build_finegrained_demo
    return build_finegrained_demo(tmp_path_factory.mktemp('finegrained'), 'all', classes=3,
                                  per_class=6, size=32)


def last_val_metrics(work_dir: Path) -> dict:
    """The last logged entry holding validation metrics of a run (mmengine's
    LocalVisBackend scalars.json), e.g. ``{'coco/bbox_mAP': 0.0, ...}``."""
    metrics = {}
    for f in sorted(Path(work_dir).glob('*/vis_data/scalars.json')):
        for line in f.read_text().splitlines():
            entry = json.loads(line)
            if not any(k.startswith(('loss', 'lr')) for k in entry):
                metrics = entry
    return metrics


@pytest.fixture
def val_metrics():
    """``val_metrics(work_dir)`` -> the last validation metrics of a run."""
    return last_val_metrics
