"""BNCalibrationHook through mmengine's Runner: every validation evaluates
with BN statistics re-estimated on training batches on a copy of the EMA net,
and the trained statistics (model and EMA) come back untouched -- the
authors' validate() (meijieru/AtomNAS train.py L419-443: a deep copy of the
model loaded with the EMA, common.py L155-172; BN reset and cumulative mean
over ``bn_calibration_steps`` train-mode batches, utils/common.py L214-226)."""
import copy

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.registry import DefaultScope
from nas_conftest import TinyDataset

from nas_backbones.engine import NASRunner
from nas_backbones.ops.bn_recalib import recalibrate_bn
from nas_backbones.supernets import AtomNASSupernet

TINY = [(1, 8, 1, 1), (6, 8, 2, 2), (6, 16, 1, 2)]
PRE = dict(num_classes=4, mean=[127.5] * 3, std=[127.5] * 3)
SUPERNET = dict(setting=TINY, resolution=32, num_classes=4, last_channels=32, bn_momentum=0.1)



def bn_stats(net):
    return {k: v.clone() for k, v in net.state_dict().items()
            if k.endswith(('running_mean', 'running_var'))}


class Probe(Hook):
    """Before the calibration: the expected statistics (a copy of the EMA net
    recalibrated with ``recalibrate_bn`` on the first N training batches) and
    the trained ones; during validation: the statistics the model evaluates
    with; after the epoch's restore: the trained ones again."""
    priority = 'HIGHEST'

    def __init__(self, num_batches):
        self.num_batches, self.records = num_batches, []

    def _nets(self, runner):
        ema = next((h.ema_model for h in runner.hooks if hasattr(h, 'ema_model')), None)
        return runner.model, (None if ema is None else ema.module)

    def before_val(self, runner, batches=None):
        model, ema = self._nets(runner)
        ref = copy.deepcopy(ema if ema is not None else model)
        recalibrate_bn(ref, batches or runner.train_dataloader, self.num_batches,
                       lambda n, d: n(n.data_preprocessor(d, False)['inputs'], mode='tensor'))
        self.records.append(dict(expected=bn_stats(ref), model=bn_stats(model),
                                 ema=None if ema is None else bn_stats(ema)))

    def before_val_iter(self, runner, batch_idx, data_batch=None):
        if batch_idx == 0:
            self.records[-1]['used'] = bn_stats(runner.model)

    def after_val(self, runner):
        model, ema = self._nets(runner)
        self.records[-1]['model_after'] = bn_stats(model)
        self.records[-1]['ema_after'] = None if ema is None else bn_stats(ema)


def classifier():
    arch = AtomNASSupernet(**SUPERNET).space_arch
    return dict(type='ImageClassifier',
                backbone=dict(type='SearchedMobileNet', arch=arch.to_dict(), bn_momentum=0.1,
                              out_indices=(len(arch.stages()),)),  # the head conv
                neck=dict(type='GlobalAveragePooling'),
                head=dict(type='NASClsHead', num_classes=4, in_channels=32),
                data_preprocessor=dict(type='ClsDataPreprocessor', **PRE))


def atomnas():
    return dict(type='AtomNAS', supernet=SUPERNET, l1_lambda=1e-3, data_preprocessor=PRE)


def loader(shuffle):
    return dict(dataset=TinyDataset(), batch_size=4, num_workers=0,
                sampler=dict(type='DefaultSampler', shuffle=shuffle, seed=0),
                collate_fn=dict(type='default_collate'))


@pytest.mark.parametrize('model,ema', [(classifier, 'all'), (atomnas, 'all'),
                                       (classifier, 'params'), (classifier, None)],
                         ids=['classifier-ema', 'atomnas-ema', 'classifier-ema-params', 'classifier'])
def test_validation_uses_calibrated_copy_and_keeps_trained_stats(model, ema, tmp_path):
    probe = Probe(num_batches=3)
    hooks = [dict(type='BNCalibrationHook', num_batches=3), probe]
    if ema:
        # 'params': mmengine's update_buffers=False (the EMA copies the BN
        # statistics of the model, and the swap leaves them in the model).
        hooks.insert(0, dict(type='AtomNASEMAHook', decay=0.9, ref_batch_size=4,
                             update_buffers=ema == 'all'))
    with DefaultScope.overwrite_default_scope('nas_backbones'):
        runner = NASRunner(
            model=model(), work_dir=str(tmp_path), train_dataloader=loader(True),
            val_dataloader=loader(False), val_evaluator=dict(type='Accuracy', topk=(1,)),
            train_cfg=dict(by_epoch=True, max_epochs=2, val_interval=1), val_cfg=dict(),
            optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9)),
            custom_hooks=hooks, default_hooks=dict(checkpoint=None),
            randomness=dict(seed=0), default_scope='nas_backbones', log_level='WARNING')
        runner.train()
    assert len(probe.records) == 2
    for rec in probe.records:
        assert rec['expected'].keys() == rec['used'].keys()
        for k, v in rec['expected'].items():
            torch.testing.assert_close(rec['used'][k], v, rtol=1e-5, atol=1e-6)
            # Trained statistics untouched, in the model and in the EMA.
            assert torch.equal(rec['model_after'][k], rec['model'][k]), k
            if ema == 'all':
                assert torch.equal(rec['ema_after'][k], rec['ema'][k]), k
        # ... and they were not what the evaluation used.
        assert any(not torch.allclose(rec['used'][k], rec['model'][k]) for k in rec['used'])


class ProbeAroundTest(Probe):
    """The same records around a test epoch, on the calibration hook's own
    loader (built from ``dataloader`` with ``batch_size``)."""

    def __init__(self, num_batches, hook):
        super().__init__(num_batches)
        self.hook = hook

    def before_test(self, runner):
        self.before_val(runner, self.hook._batches(runner))  # the hook's own loader

    def before_test_iter(self, runner, batch_idx, data_batch=None):
        self.before_val_iter(runner, batch_idx, data_batch)

    def after_test(self, runner):
        self.after_val(runner)


def test_test_epoch_calibrates_on_its_own_loader(tmp_path):
    """tools/test.py path: the authors calibrate before testing too (train.py
    L350-356 calls validate() with the calibration loader), here on a loader
    built from ``dataloader`` with the configured per-GPU ``batch_size``."""
    from nas_backbones.engine.hooks import BNCalibrationHook
    hook = BNCalibrationHook(num_batches=2, batch_size=3, dataloader=loader(False))
    probe = ProbeAroundTest(2, hook)
    with DefaultScope.overwrite_default_scope('nas_backbones'):
        runner = NASRunner(
            model=classifier(), work_dir=str(tmp_path), test_dataloader=loader(False),
            test_evaluator=dict(type='Accuracy', topk=(1,)), test_cfg=dict(),
            custom_hooks=[dict(type='AtomNASEMAHook', decay=0.9, ref_batch_size=4,
                               batch_size=4), hook, probe],
            default_hooks=dict(checkpoint=None), randomness=dict(seed=0),
            default_scope='nas_backbones', log_level='WARNING')
        runner.test()
    rec, = probe.records
    assert hook._loader.batch_size == 3
    for k, v in rec['expected'].items():
        torch.testing.assert_close(rec['used'][k], v, rtol=1e-5, atol=1e-6)
        assert torch.equal(rec['ema_after'][k], rec['ema'][k]), k

