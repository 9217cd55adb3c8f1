"""Run checkpoints under torch's weights_only default: NASRunner resumes its
own training checkpoints; the allowlist stays narrow; mmpretrain::/mmdet::
config bases load (setuptools < 82 keeps pkg_resources)."""
import pickle

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel

from nas_backbones.engine import NASRunner, allow_run_checkpoints, load_run_checkpoint


class ToyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.fc(inputs)
        return dict(loss=out.pow(2).mean()) if mode == 'loss' else out


def make_runner(work_dir, max_iters, name, **kwargs):
    data = [dict(inputs=torch.full((2,), float(i))) for i in range(8)]
    return NASRunner(
        model=ToyModel(), work_dir=str(work_dir), experiment_name=name,
        train_dataloader=dict(dataset=data, batch_size=2, collate_fn=dict(type='default_collate'),
                              sampler=dict(type='InfiniteSampler', shuffle=True)),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9)),
        param_scheduler=dict(type='MultiStepLR', by_epoch=False, milestones=[3]),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False),
                           logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=[dict(type='EMAHook', momentum=0.1)], **kwargs)


@pytest.fixture(scope='module')
def run_checkpoint(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('run')
    make_runner(work_dir, 2, 'ckpt_first').train()
    return work_dir / 'iter_2.pth'


def test_plain_weights_only_load_refuses_it(run_checkpoint):
    # What this module works around: torch's default refuses mmengine's entries.
    with pytest.raises(pickle.UnpicklingError):
        torch.load(run_checkpoint, weights_only=True)


def test_load_run_checkpoint(run_checkpoint):
    ckpt = load_run_checkpoint(str(run_checkpoint))
    assert ckpt['meta']['iter'] == 2
    assert isinstance(ckpt['message_hub']['log_scalars']['train/loss'], HistoryBuffer)


class RecordStart(Hook):
    """Remembers where the train loop starts (after any resume)."""

    def before_train(self, runner):
        self.iter = runner.iter
        self.state = {k: v.clone() for k, v in runner.model.state_dict().items()}
        self.optim_state = runner.optim_wrapper.optimizer.state_dict()['state']


def test_resume_continues_from_saved_iteration(run_checkpoint):
    start = RecordStart()
    runner = make_runner(run_checkpoint.parent, 4, 'ckpt_resumed', resume=True,
                         load_from=str(run_checkpoint))
    runner.register_hook(start)
    runner.train()
    assert start.iter == 2
    saved = load_run_checkpoint(str(run_checkpoint))
    # mmengine's EMAHook saves the EMA weights as 'state_dict' and the raw
    # weights, which training resumes from, under 'ema_state_dict'.
    for key in saved['state_dict']:
        torch.testing.assert_close(start.state[key], saved['ema_state_dict'][f'module.{key}'])
    assert start.optim_state  # SGD momentum buffers came back too
    assert runner.iter == 4
    assert load_run_checkpoint(str(run_checkpoint.parent / 'iter_4.pth'))['meta']['iter'] == 4


class _CallsGetattrOnNumpy:
    def __reduce__(self):
        return getattr, (np.ndarray, 'tofile')


class _CallsOsSystem:
    def __reduce__(self):
        import os
        return os.system, ('true',)


@pytest.mark.parametrize('payload', [_CallsGetattrOnNumpy(), _CallsOsSystem()],
                         ids=['getattr-other-than-history-buffer', 'os-system'])
def test_allowlist_stays_narrow(tmp_path, payload):
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'x': payload}, path)
    with pytest.raises(pickle.UnpicklingError):
        load_run_checkpoint(str(path))


def test_allowlist_is_scoped(run_checkpoint):
    with allow_run_checkpoints():
        torch.load(run_checkpoint, weights_only=True)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(run_checkpoint, weights_only=True)


@pytest.mark.parametrize('lib', ['mmpretrain', 'mmdet'])
def test_package_config_base_loads(tmp_path, lib):
    # mmengine resolves `lib::` bases through pkg_resources (setuptools < 82).
    path = tmp_path / f'{lib}_child.py'
    path.write_text(f"_base_ = ['{lib}::_base_/default_runtime.py']\nlog_level = 'WARNING'\n")
    cfg = Config.fromfile(str(path))
    assert cfg.default_scope == lib
    assert cfg.log_level == 'WARNING'
