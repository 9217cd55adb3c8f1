"""The supernet's training block (supernets/atomic_training_block.py): its
shortcuts compute what the plain ``ops.AtomicBlock`` computes (outputs,
gradients, BN running statistics), and they run only where that holds --
otherwise the block takes the plain forward, calling every norm module."""
import copy

import pytest
import torch
import torch.nn as nn

from nas_backbones.ops.atomic_block import AtomicBlock
from nas_backbones.supernets import AtomicTrainingBlock, AtomNASSupernet

# (in, out, stride, kernels, atoms, per-branch path): folded expansion BN
# when 4 * in <= atoms; the last case is not folded.
TRAIN_PATHS = {
    'branches-folded': (8, 8, 1, (3, 5, 7), (16, 24, 40), True),
    'concat-folded-s2': (8, 12, 2, (3, 5, 7), (16, 24, 40), False),
    'single-folded': (8, 8, 1, (5,), (48,), False),
    'branches-unfolded': (16, 16, 1, (3, 5, 7), (6, 8, 10), True),
}


def randomise_bn(module):
    """Non-trivial affine parameters and running stats, so a wrong slice shows."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                if m.track_running_stats:
                    m.running_mean.uniform_(-0.2, 0.2)
                    m.running_var.uniform_(0.5, 2.0)


def make_block(cin, cout, stride, kernels, atoms, se_ratio=0.0, cls=AtomicTrainingBlock, **kw):
    torch.manual_seed(0)
    block = cls(cin, cout, stride, kernels, atoms, se_ratio=se_ratio, **kw)
    randomise_bn(block)
    return block


def plain_forward(block, x):
    """The plain block's forward (module calls on the concatenated atoms)."""
    return AtomicBlock.forward(block, x)


@pytest.mark.parametrize('channels_last', [False, True], ids=['nchw', 'nhwc'])
@pytest.mark.parametrize('se_ratio', [0.0, 0.5], ids=['plain', 'se'])
@pytest.mark.parametrize('path', sorted(TRAIN_PATHS))
def test_fast_path_equals_plain_block(path, se_ratio, channels_last, monkeypatch):
    """Per-branch weight slices with summed projections, and the expansion BN
    folded into the conv, compute the plain block's outputs, gradients and BN
    running statistics (momentum and cumulative averaging)."""
    cin, cout, stride, kernels, atoms, per_branch = TRAIN_PATHS[path]
    monkeypatch.setattr(AtomicTrainingBlock, 'BRANCH_SPLIT_MIN_ELEMENTS',
                        0 if per_branch else 1 << 62)
    monkeypatch.setattr(AtomicTrainingBlock, 'FOLD_MIN_ELEMENTS', 0)  # fold tiny tensors too
    block = make_block(cin, cout, stride, kernels, atoms, se_ratio)
    ref = copy.deepcopy(block)
    x = torch.randn(4, cin, 9, 9) * 2 + 0.5  # not normalised: the folded stats must cope
    if channels_last:
        x, block = x.to(memory_format=torch.channels_last), block.to(
            memory_format=torch.channels_last)
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    assert block.uses_fast_path()
    assert (len(block.dw) > 1 and block._branches_are_large(x)) == per_branch
    assert block._fold_expand_bn(x) == (4 * cin <= sum(atoms))
    for momentum in (0.1, None):  # None: cumulative averaging (BN recalibration)
        for m in (block, ref):
            for bn in (m.bn_dw, m.expand.bn, m.project.bn):
                bn.momentum = momentum
        y1, y2 = block(x1), plain_forward(ref, x2)
        torch.testing.assert_close(y1, y2, atol=1e-4, rtol=1e-4)
        (y1 ** 2).sum().backward()
        (y2 ** 2).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad, atol=1e-3, rtol=1e-4)
    for (n, p), q in zip(block.named_parameters(), ref.parameters()):
        torch.testing.assert_close(p.grad, q.grad, atol=1e-3, rtol=1e-3, msg=n)
    for (n, b), c in zip(block.named_buffers(), ref.buffers()):
        torch.testing.assert_close(b, c, atol=1e-5, rtol=1e-4, msg=n)
    block.eval(), ref.eval()
    with torch.no_grad():
        torch.testing.assert_close(block(x), plain_forward(ref, x), atol=1e-5, rtol=1e-5)


def sync_bn(block):
    return nn.SyncBatchNorm.convert_sync_batchnorm(block)


def group_norm(cin, cout, stride, kernels, atoms):
    return make_block(cin, cout, stride, kernels, atoms,
                      norm_layer=lambda c: nn.GroupNorm(2 if c % 2 == 0 else 1, c))


def frozen_bn(block):  # norm_eval: BN in eval mode inside a training block
    for m in block.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()
    return block


class SubclassedBN(nn.BatchNorm2d):
    pass


FALLBACKS = {
    'syncbn': lambda *a: sync_bn(make_block(*a)),
    'groupnorm': group_norm,
    'norm-eval': lambda *a: frozen_bn(make_block(*a)),
    'no-running-stats': lambda *a: make_block(
        *a, norm_layer=lambda c: nn.BatchNorm2d(c, track_running_stats=False)),
    'bn-subclass': lambda *a: make_block(*a, norm_layer=SubclassedBN),
}


@pytest.mark.parametrize('path', ['branches-folded', 'concat-folded-s2'])
@pytest.mark.parametrize('kind', sorted(FALLBACKS))
def test_other_norms_take_the_plain_forward(kind, path, monkeypatch):
    """Where the shortcuts would not be BatchNorm2d's training maths, the
    training block is the plain block: same output, running stats as the
    module calls leave them, and every norm module called (SyncBN
    synchronises only when it is called)."""
    monkeypatch.setattr(AtomicTrainingBlock, 'BRANCH_SPLIT_MIN_ELEMENTS', 0)
    monkeypatch.setattr(AtomicTrainingBlock, 'FOLD_MIN_ELEMENTS', 0)
    block = FALLBACKS[kind](*TRAIN_PATHS[path][:5]).train()
    if kind == 'norm-eval':
        frozen_bn(block)
    ref = copy.deepcopy(block)
    assert not block.uses_fast_path()
    norms = [m for m in block.modules()
             if isinstance(m, (nn.modules.batchnorm._BatchNorm, nn.GroupNorm))]
    calls = {id(m): 0 for m in norms}
    for m in norms:
        m.register_forward_hook(lambda mod, i, o: calls.__setitem__(id(mod), calls[id(mod)] + 1))
    x = torch.randn(4, TRAIN_PATHS[path][0], 9, 9)
    y = block(x)
    assert all(n == 1 for n in calls.values()), calls
    torch.testing.assert_close(y, plain_forward(ref, x), rtol=0, atol=0)
    for (n, b), c in zip(block.named_buffers(), ref.buffers()):
        torch.testing.assert_close(b, c, rtol=0, atol=0, msg=n)


@pytest.mark.parametrize('per_branch', [False, True], ids=['concat', 'branches'])
def test_training_under_cpu_autocast(per_branch, monkeypatch):
    """bf16 autocast (the benchmark's AMP rows) runs both training paths, the
    dw convs in fp32, and stays close to fp32."""
    monkeypatch.setattr(AtomicTrainingBlock, 'BRANCH_SPLIT_MIN_ELEMENTS',
                        0 if per_branch else 1 << 62)
    monkeypatch.setattr(AtomicTrainingBlock, 'FOLD_MIN_ELEMENTS', 0)
    block = make_block(8, 8, 1, (3, 5, 7), (16, 24, 40))
    x = torch.randn(4, 8, 9, 9)
    ref = copy.deepcopy(block)(x)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        y = block(x)
    y.float().sum().backward()
    torch.testing.assert_close(y.float(), ref, atol=0.1, rtol=0.05)
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in block.parameters())


def called_norms(net, x, kind):
    """(norm modules of ``kind``, ids of those a training step called)."""
    norms = [m for m in net.modules() if isinstance(m, kind)]
    called = set()
    for m in norms:
        m.register_forward_hook(lambda mod, i, o: called.add(id(mod)))
    net.train()(x).sum().backward()
    return norms, called


def test_supernet_converted_to_syncbn_calls_every_syncbn():
    """A supernet under mmengine's ``sync_bn`` (convert_sync_batchnorm) calls
    every SyncBN module in a training step; with plain BN the shortcuts run
    and the expansion BNs are not called as modules (the check can fail)."""
    def supernet():
        torch.manual_seed(0)
        return AtomNASSupernet(setting=[(1, 8, 1, 1), (6, 16, 2, 2), (6, 24, 1, 2)],
                               resolution=64, last_channels=32, num_classes=5)
    x = torch.randn(8, 3, 64, 64)
    norms, called = called_norms(nn.SyncBatchNorm.convert_sync_batchnorm(supernet()), x,
                                 nn.SyncBatchNorm)
    assert len(norms) > 0 and called == {id(m) for m in norms}
    norms, called = called_norms(supernet(), x, nn.BatchNorm2d)
    assert called < {id(m) for m in norms}
