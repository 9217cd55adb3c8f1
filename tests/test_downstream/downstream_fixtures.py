"""Fixtures of the downstream tests: exported checkpoints and the demo sets.

Test modules import the fixtures they use from here. A conftest.py in this
folder would shadow ``tests/conftest.py`` for modules that still do
``from conftest import ...``.
"""
import json
from pathlib import Path

import pytest
import torch


def export_checkpoint(path: Path, arch: str, prefix: str = 'backbone.', head: bool = True) -> Path:
    """A weights-only checkpoint laid out as tools/export.py writes it
    (``{'state_dict', 'meta'}``, ImageClassifier key names)."""
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
