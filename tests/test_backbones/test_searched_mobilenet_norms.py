"""Norm layers of the deployed backbone in training: ``norm_eval`` freezes
every running statistic and normalises with it at classification and at
detection input sizes, and every SyncBN module is called (so it can
synchronise) in a training forward, for both families."""
import pytest
import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm

from nas_backbones.backbones import SearchedMobileNet

KINDS = ['atomnas_a', 'atomnas_c_plus', 'attentivenas_a0', 'attentivenas_a6']


def randomise_stats(net):
    """Running statistics and affine parameters far from a fresh BN's, so
    that normalising with batch statistics, or updating them, shows."""
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, _BatchNorm):
                m.running_mean.copy_(torch.rand(m.num_features, generator=g) * 0.4 - 0.2)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) * 1.5 + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.rand(m.num_features, generator=g) * 0.4 - 0.2)
    return net


@pytest.mark.parametrize('size', [64, 704], ids=['64px', '704px'])
@pytest.mark.parametrize('name', KINDS)
def test_norm_eval_keeps_running_stats_and_equals_eval(name, size):
    """A training step with norm_eval (every Mask R-CNN config here) leaves
    every BN buffer as it was and computes the eval-mode output, at 64 px
    and at a detection-size 704 px image."""
    net = randomise_stats(SearchedMobileNet(name, out_indices=(1, 2, 4, 7), norm_eval=True))
    before = {k: v.clone() for k, v in net.state_dict().items()}
    x = torch.randn(1, 3, size, size)
    net.train()
    outs = net(x)
    sum(o.mean() for o in outs).backward()
    for k, v in net.state_dict().items():
        torch.testing.assert_close(v, before[k], rtol=0, atol=0, msg=k)
    net.eval()
    with torch.no_grad():
        ref = net(x)
    for a, b in zip(outs, ref):
        torch.testing.assert_close(a.detach(), b, rtol=1e-5, atol=1e-5)


def count_calls(net, kind):
    norms = [m for m in net.modules() if isinstance(m, kind)]
    calls = {id(m): 0 for m in norms}
    for m in norms:
        m.register_forward_hook(lambda mod, i, o: calls.__setitem__(id(mod), calls[id(mod)] + 1))
    return norms, calls


@pytest.mark.parametrize('convert', ['norm_cfg', 'convert_sync_batchnorm'])
@pytest.mark.parametrize('name', KINDS)
def test_every_syncbn_is_called_in_training(name, convert):
    """SyncBN from ``norm_cfg=dict(type='SyncBN')`` (mmcv) or from
    ``nn.SyncBatchNorm.convert_sync_batchnorm`` (mmengine's ``sync_bn``):
    every module runs in a training forward, so with a process group each
    would synchronise its statistics. On CPU without a process group torch's
    SyncBatchNorm computes plain BN, which is what lets the call count run
    here."""
    assert not (dist.is_available() and dist.is_initialized()), \
        'a process group makes CPU SyncBatchNorm raise; run this test without one'
    if convert == 'norm_cfg':
        net = SearchedMobileNet(name, norm_cfg=dict(type='SyncBN'))
    else:
        net = nn.SyncBatchNorm.convert_sync_batchnorm(SearchedMobileNet(name))
    norms, calls = count_calls(net, nn.SyncBatchNorm)
    assert len(norms) == sum(1 for m in SearchedMobileNet(name).modules()
                             if isinstance(m, nn.BatchNorm2d))
    net.train()(torch.randn(2, 3, 64, 64))[0].mean().backward()
    assert all(n == 1 for n in calls.values()), \
        f'{sum(n == 0 for n in calls.values())} of {len(calls)} SyncBN modules not called'
