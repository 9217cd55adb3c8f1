"""AttentiveNAS through the tools, as a user runs it, on a tiny demo set and
the tiny space: train -> search -> export, resume with the same sampler
state and next-step loss, and two gloo processes training the same archs."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nas_conftest import REPO, run_tool
from nas_backbones.arch import AttentiveSpace, load_arch
from nas_backbones.samplers import space_flops_range

TINY = Path(__file__).resolve().parents[1] / 'test_supernets' / 'attentivenas_tiny_space.yml'


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory) -> Path:
    """3 classes, 4 train / 2 val images each, 32x32 (sizes the configs below rely on)."""
    from tools.data.build_imagenet_demo import build_imagenet_demo
    return build_imagenet_demo(tmp_path_factory.mktemp('attentive_data') / 'imagenet_demo',
                               classes=3, train_per_class=4, val_per_class=2, size=32)


def write_config(tmp_path, data_root, **extra) -> Path:
    lo, hi = space_flops_range(AttentiveSpace.load(TINY))
    loader = lambda split, bs: (f"dict(batch_size={bs}, num_workers=0, dataset=dict(data_root='"
                                f"{data_root}', split='{split}', pipeline=test_pipeline))")
    text = f"""
_base_ = ['{REPO}/configs/attentivenas/search_demo.py']
test_pipeline = {{{{_base_.test_pipeline}}}}
model = dict(space='{TINY}', supernet=dict(num_classes=3, dropout=0.0, drop_path_rate=0.0),
             data_preprocessor=dict(num_classes=3),
             sampler=dict(pool_size=300, bucket_mflops=0.5), arch_log='{tmp_path}/archs')
train_dataloader = {loader('train', 4)}
val_dataloader = {loader('val', 6)}
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1,))
test_evaluator = val_evaluator
custom_hooks = [dict(type='SubnetBNRecalibHook', num_batches=2)]
train_cfg = dict(max_epochs=2)
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=2)]
default_hooks = dict(logger=dict(interval=1))
search_cfg = dict(dataloader={loader('val', 6)}, calib_dataloader={loader('train', 4)},
                  calib_batches=2, max_mflops={(lo + 0.5 * (hi - lo)) / 1e6:.3f},
                  population_size=6, num_parents=3, num_mutations=3, num_crossovers=3,
                  generations=2)
"""
    for k, v in extra.items():
        text += f'{k} = {v}\n'
    path = tmp_path / 'tiny_attentivenas.py'
    path.write_text(text)
    return path


def check(proc):
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def step_losses(work_dir: Path) -> list[tuple[int, float]]:
    out = []
    for f in sorted(work_dir.glob('*/vis_data/scalars.json')):
        for line in f.read_text().splitlines():
            row = json.loads(line)
            if 'loss' in row:
                out.append((row['step'], row['loss']))
    return out


def test_one_epoch_trains_and_reports_top1(demo_root, tmp_path, capsys):
    """The default suite's AttentiveNAS run through tools/train.py's main (one
    epoch, 3 sandwich steps, in this process to spare an interpreter start-up);
    the longer runs below, in subprocesses as a user runs them, are marked slow."""
    from tools.train import main
    cfg = write_config(tmp_path, demo_root, train_cfg='dict(max_epochs=1)', param_scheduler=(
        "[dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=1)]"))
    main([str(cfg), '--work-dir', str(tmp_path / 'train')])
    out = capsys.readouterr().out
    assert re.search(r'\[nas_backbones\] top-1 \d+\.\d\d %', out), out[-2000:]
    assert (tmp_path / 'train' / 'epoch_1.pth').is_file()
    steps = (tmp_path / 'archs.rank0').read_text().splitlines()
    assert [len(s.split(' | ')) for s in steps] == [4, 4, 4]  # 3 steps of max, 2 sampled, min


@pytest.mark.slow
def test_train_search_export(demo_root, tmp_path):
    cfg = write_config(tmp_path, demo_root)
    out = check(run_tool('tools/train.py', str(cfg), '--work-dir', str(tmp_path / 'train')))
    assert 'top-1' in out
    ckpt = tmp_path / 'train' / 'epoch_2.pth'
    out = check(run_tool('tools/search.py', str(cfg), '--checkpoint', str(ckpt),
                         '--work-dir', str(tmp_path / 'search')))
    assert '[nas_backbones] search: best accuracy' in out
    for name in ('best_arch.yml', 'pareto.json', 'pareto.csv', 'pareto.png', 'evaluated.csv'):
        assert (tmp_path / 'search' / name).is_file(), name
    # an interrupted search resumes from its state file
    out = check(run_tool('tools/search.py', str(cfg), '--checkpoint', str(ckpt),
                         '--work-dir', str(tmp_path / 'search')))
    assert 'resumed search at generation 2' in out
    out = check(run_tool('tools/export.py', str(cfg), '--checkpoint', str(ckpt), '--arch',
                         str(tmp_path / 'search' / 'best_arch.yml'), '--out',
                         str(tmp_path / 'export'), '--calib-batches', '2', '--name', 'best'))
    assert '[nas_backbones] exported best' in out
    best = load_arch(tmp_path / 'export' / 'best.yml')
    assert best.key()[1:] == load_arch(tmp_path / 'search' / 'best_arch.yml').key()[1:]


@pytest.mark.slow
def test_resume_same_sampler_state_and_next_loss(demo_root, tmp_path):
    cfg = write_config(tmp_path, demo_root)
    full, part = tmp_path / 'full', tmp_path / 'part'
    check(run_tool('tools/train.py', str(cfg), '--work-dir', str(full)))
    full_archs = (tmp_path / 'archs.rank0').read_text().splitlines()
    (tmp_path / 'archs.rank0').unlink()
    check(run_tool('tools/train.py', str(cfg), '--work-dir', str(part),
                   '--cfg-options', 'train_cfg.max_epochs=1'))
    check(run_tool('tools/train.py', str(cfg), '--work-dir', str(part), '--resume'))
    part_archs = (tmp_path / 'archs.rank0').read_text().splitlines()
    assert part_archs == full_archs  # same sampler draws after resuming
    full_losses, part_losses = dict(step_losses(full)), dict(step_losses(part))
    first_resumed = min(s for s in part_losses if s > len(full_archs) // 2)
    assert part_losses[first_resumed] == pytest.approx(full_losses[first_resumed], rel=1e-5)


@pytest.mark.slow
def test_two_gloo_ranks_train_the_same_archs(demo_root, tmp_path):
    cfg = write_config(tmp_path, demo_root, **{
        'env_cfg': "dict(dist_cfg=dict(backend='gloo'))",
        "model['sampler']": "dict(type='AttentiveSampler', score='loss', num_candidates=3, "
                            "pool_size=300, bucket_mflops=0.5)"})
    # tools/train.py starts a gloo group itself when torchrun runs it without CUDA.
    proc = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2',
         '--master_port', '29517', 'tools/train.py', str(cfg), '--launcher', 'pytorch',
         '--work-dir', str(tmp_path / 'ddp'), '--cfg-options', 'train_cfg.max_epochs=1'],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    check(proc)
    rank0 = (tmp_path / 'archs.rank0').read_text().splitlines()
    rank1 = (tmp_path / 'archs.rank1').read_text().splitlines()
    assert len(rank0) >= 1 and rank0 == rank1
