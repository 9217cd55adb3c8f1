"""tools/train.py on the AtomNAS-A demo config: trains, checkpoints, resumes
with --resume from the saved iteration, and tools/test.py evaluates; a
missing data_root fails early with one line. publish_model strips the run
checkpoint to weights that load weights-only."""
import re

import pytest
import torch
from nas_conftest import run_tool

from nas_backbones.backbones import SearchedMobileNet
from nas_backbones.engine import load_run_checkpoint
from tools import test as test_tool
from tools import train as train_tool
from tools.publish_model import publish

CONFIG = 'configs/atomnas/atomnas-a_demo.py'


def data_options(root):
    return [f'{key}.dataset.data_root={root}'
            for key in ('train_dataloader', 'val_dataloader', 'test_dataloader')]


def demo_options(root, epochs):
    # 5 classes x 2 images at batch 5: two iterations per epoch.
    return ['--cfg-options', *data_options(root), 'train_dataloader.batch_size=5',
            f'train_cfg.max_epochs={epochs}', 'model.head.num_classes=5',
            'data_preprocessor.num_classes=5', 'default_hooks.logger.interval=1']


def check(proc):
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


@pytest.fixture(scope='module')
def trained(tiny_imagenet_demo, tmp_path_factory):
    """Train one epoch, then resume for a second; both outputs and the work dir."""
    work_dir = tmp_path_factory.mktemp('work_dir')
    first = check(run_tool('tools/train.py', CONFIG, '--work-dir', str(work_dir),
                           *demo_options(tiny_imagenet_demo, 1)))
    second = check(run_tool('tools/train.py', CONFIG, '--work-dir', str(work_dir), '--resume',
                            *demo_options(tiny_imagenet_demo, 2)))
    return first, second, work_dir


@pytest.mark.slow
def test_train_prints_summary(trained):
    first, _, work_dir = trained
    summary = [line for line in first.splitlines() if line.startswith('[nas_backbones] top-1')]
    assert len(summary) == 1, first[-2000:]
    assert re.search(r'top-1 \d+\.\d\d % \(val, epoch 1\)', summary[0])
    assert '258.29 MFLOPs, 3.854 M params' in summary[0]
    assert summary[0].endswith(f'checkpoint: {work_dir / "epoch_1.pth"}')


@pytest.mark.slow
def test_resume_flag_reaches_the_runner(trained):
    # tools/train.py --resume picks the last checkpoint of the work dir; what the
    # runner restores (weights, EMA, optimizer state) is
    # tests/test_engine/test_run_checkpoint.py::test_resume_continues_from_saved_iteration.
    _, second, work_dir = trained
    assert 'resumed epoch: 1, iter: 2' in second
    assert 'Epoch(train) [1]' not in second  # nothing trained twice
    assert load_run_checkpoint(str(work_dir / 'epoch_2.pth'))['meta']['iter'] == 4
    assert f'checkpoint: {work_dir / "epoch_2.pth"}' in second


@pytest.mark.slow
def test_test_tool_evaluates(trained, tiny_imagenet_demo, tmp_path):
    _, _, work_dir = trained
    out = tmp_path / 'metrics.json'
    log = check(run_tool('tools/test.py', CONFIG, str(work_dir / 'epoch_2.pth'),
                         '--work-dir', str(tmp_path), '--out', str(out),
                         '--cfg-options', *data_options(tiny_imagenet_demo),
                         'model.head.num_classes=5'))
    assert re.search(r'\[nas_backbones\] test top-1 \d+\.\d\d %', log)
    assert 'accuracy/top1' in out.read_text()


@pytest.mark.slow
def test_publish_model_is_weights_only(trained, tmp_path):
    _, _, work_dir = trained
    out = tmp_path / 'atomnas-a_demo.pth'
    publish(str(work_dir / 'epoch_2.pth'), str(out))
    ckpt = torch.load(out, weights_only=True)
    assert set(ckpt) == {'state_dict', 'meta'} and ckpt['meta']['epoch'] == 2
    net = SearchedMobileNet('atomnas_a', init_cfg=dict(type='Pretrained', checkpoint=str(out),
                                                       prefix='backbone.'))
    net.init_weights()
    torch.testing.assert_close(net.stem.conv.weight,
                               ckpt['state_dict']['backbone.stem.conv.weight'])


@pytest.mark.parametrize('tool', ['train', 'test'])
def test_missing_data_root_is_one_line(tool, tmp_path):
    missing = tmp_path / 'no_such_dir'
    argv = [CONFIG] + ([] if tool == 'train' else [str(tmp_path / 'x.pth')])
    if tool == 'test':
        (tmp_path / 'x.pth').write_bytes(b'')
    argv += ['--work-dir', str(tmp_path / 'wd'), '--cfg-options', *data_options(missing)]
    with pytest.raises(SystemExit) as info:
        (train_tool if tool == 'train' else test_tool).main(argv)
    message = str(info.value)
    assert '\n' not in message
    assert message.startswith('error: dataset folder not found')
    assert str(missing) in message
    assert f'python tools/data/build_imagenet_demo.py --out {missing}' in message
