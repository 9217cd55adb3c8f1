"""Latency-constrained AttentiveNAS search through the tools, as a user runs
it (tiny space and data): build a latency table, train a supernet, search
under a latency + params budget with the Pareto front over latency, and
measure the best arch end to end. No arch whose predicted latency is over
the budget is evaluated; the measured latency is reported, not asserted
(timings of a loaded test machine)."""
import csv
import re
from pathlib import Path

import pytest
from nas_conftest import REPO, run_tool

from nas_backbones.arch import AttentiveSpace, load_arch
from nas_backbones.estimators.latency import LatencyEstimator
from tools.analysis import build_latency_lut

TINY = REPO / 'tests' / 'test_supernets' / 'attentivenas_tiny_space.yml'


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory) -> Path:
    from tools.data.build_imagenet_demo import build_imagenet_demo
    return build_imagenet_demo(tmp_path_factory.mktemp('latency_data') / 'imagenet_demo',
                               classes=3, train_per_class=4, val_per_class=2, size=32)


def write_config(tmp_path, data_root, lut, max_ms, max_mparams) -> Path:
    loader = lambda split, bs: (f"dict(batch_size={bs}, num_workers=0, dataset=dict(data_root='"
                                f"{data_root}', split='{split}', pipeline=test_pipeline))")
    path = tmp_path / 'latency_search.py'
    path.write_text(f"""
_base_ = ['{REPO}/configs/attentivenas/search_latency_demo.py']
test_pipeline = {{{{_base_.test_pipeline}}}}
model = dict(space='{TINY}', supernet=dict(num_classes=3, dropout=0.0, drop_path_rate=0.0),
             data_preprocessor=dict(num_classes=3), sampler=dict(pool_size=300, bucket_mflops=0.5))
train_dataloader = {loader('train', 4)}
val_dataloader = {loader('val', 6)}
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1,))
test_evaluator = val_evaluator
custom_hooks = [dict(type='SubnetBNRecalibHook', num_batches=2)]
train_cfg = dict(max_epochs=1)
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=1)]
search_cfg = dict(dataloader={loader('val', 6)}, calib_dataloader={loader('train', 4)},
                  calib_batches=2, latency_lut='{lut}', max_latency_ms={max_ms:.4f},
                  max_mparams={max_mparams:.4f}, population_size=6, num_parents=3,
                  num_mutations=3, num_crossovers=3, generations=2)
""")
    return path


def check(proc):
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


@pytest.mark.slow
def test_latency_constrained_search(demo_root, tmp_path):
    lut = tmp_path / 'tiny_lut.json'
    build_latency_lut.main(['--space', 'attentivenas', '--space-file', str(TINY), '--threads', '1',
                            '--warmup', '1', '--repeats', '3', '--calib-archs', '3',
                            '--out', str(lut)])
    est = LatencyEstimator(lut)
    space = AttentiveSpace.load(TINY)
    lo, hi = est.predict(space.min_arch()), est.predict(space.max_arch())
    budget = lo + 0.4 * (hi - lo)
    cfg = write_config(tmp_path, demo_root, lut, budget, 1e3)
    check(run_tool('tools/train.py', str(cfg), '--work-dir', str(tmp_path / 'train')))
    out = check(run_tool('tools/search.py', str(cfg), '--checkpoint',
                         str(tmp_path / 'train' / 'epoch_1.pth'),
                         '--work-dir', str(tmp_path / 'search')))
    m = re.search(r'search: best accuracy .* ms; measured ([\d.]+) ms end to end \(predicted '
                  r'([\d.]+) ms, (within|OVER) the [\d.]+ ms budget\)', out)
    assert m, out[-2000:]
    with (tmp_path / 'search' / 'evaluated.csv').open() as f:
        evaluated = list(csv.DictReader(f))
    assert evaluated and all(float(r['latency_ms']) <= budget + 1e-3 for r in evaluated)
    with (tmp_path / 'search' / 'pareto.csv').open() as f:
        front = [float(r['latency_ms']) for r in csv.DictReader(f)]
    assert front == sorted(front)
    best = load_arch(tmp_path / 'search' / 'best_arch.yml')
    assert est.predict(best.replace(num_classes=1000)) <= budget
    assert best.name.startswith('search_') and best.name.endswith('ms')
