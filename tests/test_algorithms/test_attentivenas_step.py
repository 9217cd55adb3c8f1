"""AttentiveNAS sandwich step: four subnets reach the shared weights, one
optimizer step, detached KD target, BestUp (loss) choice, eval/predict."""
import random
from pathlib import Path

import pytest
import torch
from mmengine.optim import OptimWrapper
from mmpretrain.structures import DataSample

import nas_backbones  # noqa: F401  (registers)
from nas_backbones.algorithms import AttentiveNAS, attentivenas

TINY = str(Path(__file__).resolve().parents[1] / 'test_supernets' / 'attentivenas_tiny_space.yml')


def make_model(sampler=None, **kwargs):
    torch.manual_seed(0)
    return AttentiveNAS(space=TINY, supernet=dict(num_classes=5),
                        sampler=sampler or dict(type='UniformSampler'),
                        data_preprocessor=dict(num_classes=5), **kwargs)


def batch(n=8, size=40, seed=0):
    g = torch.Generator().manual_seed(seed)
    return {'inputs': [torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8)
                       for _ in range(n)],
            'data_samples': [DataSample().set_gt_label(i % 5) for i in range(n)]}


class RecordingWrapper(OptimWrapper):
    """OptimWrapper that snapshots one shared weight's grad after each backward."""

    def __init__(self, optimizer, watched):
        super().__init__(optimizer, clip_grad=dict(type='value', clip_value=1.0))
        self.watched, self.snapshots, self.steps = watched, [], 0

    def backward(self, loss, **kwargs):
        super().backward(loss, **kwargs)
        self.snapshots.append(self.watched.grad.clone())

    def step(self, **kwargs):
        self.steps += 1
        super().step(**kwargs)


def test_sandwich_grads_from_all_four_subnets_and_one_step():
    model = make_model()
    shared = model.supernet.stem.conv.conv.weight  # used by every subnet
    ow = RecordingWrapper(torch.optim.SGD(model.parameters(), lr=0.1), shared)
    before = shared.detach().clone()
    log = model.train_step(batch(), ow)
    assert len(ow.snapshots) == 4 and ow.steps == 1
    increments = [ow.snapshots[0]] + [b - a for a, b in zip(ow.snapshots, ow.snapshots[1:])]
    assert all(inc.abs().sum() > 0 for inc in increments)
    assert not torch.equal(before, shared.detach())
    assert shared.grad is None or shared.grad.abs().sum() == 0  # zero_grad after the step
    assert set(log) >= {'loss', 'loss_max', 'loss_kd', 'sampled_mflops'}
    assert torch.isclose(log['loss'], log['loss_max'] + log['loss_kd'])


def test_kd_target_is_detached(monkeypatch):
    seen = []
    real = attentivenas.soft_cross_entropy

    def spy(logits, target):
        seen.append((logits.requires_grad, target.requires_grad))
        return real(logits, target)

    monkeypatch.setattr(attentivenas, 'soft_cross_entropy', spy)
    model = make_model()
    model.train_step(batch(), OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1)))
    assert seen == [(True, False)] * 3


@pytest.mark.parametrize('mode,expected', [('bestup', 1), ('worstup', 2)])
def test_loss_scored_choice(monkeypatch, mode, expected):
    """A crafted batch: candidate 1's logits match the labels, candidate 2's
    contradict them; BestUp trains 1, WorstUp trains 2."""
    model = make_model(dict(type='AttentiveSampler', mode=mode, score='loss', num_candidates=3,
                            pool_size=300, bucket_mflops=1.0))
    space = model.space
    cands = [space.sample(random.Random(i)) for i in range(3)]
    monkeypatch.setattr(model.sampler, 'candidates', lambda: cands)
    labels = torch.arange(8) % 5
    onehot = torch.nn.functional.one_hot(labels, 5).float()
    crafted = {cands[0].key(): torch.zeros(8, 5), cands[1].key(): 10 * onehot,
               cands[2].key(): -10 * onehot}

    def fake_logits(inputs, arch, regularize=False):
        return crafted[arch.key()].clone().requires_grad_()

    monkeypatch.setattr(model, '_logits', fake_logits)
    model.reuse_scoring_forward = True  # the winner's crafted logits come back
    arch, logits = model._pick({'raw': None}, labels)
    assert arch == cands[expected]
    assert torch.equal(logits.detach(), crafted[cands[expected].key()])


@pytest.mark.parametrize('reuse,forwards', [(False, 1 + 2 * (3 + 1) + 1), (True, 1 + 2 * 3 + 1)],
                         ids=['published', 'reuse'])
def test_bestup_step_forward_count(monkeypatch, reuse, forwards):
    """max, 2 slots x (3 scored candidates [+ the winner with grad]), min."""
    model = make_model(dict(type='AttentiveSampler', score='loss', num_candidates=3,
                            pool_size=300, bucket_mflops=1.0), reuse_scoring_forward=reuse)
    calls = []
    real = model.supernet.forward
    monkeypatch.setattr(model.supernet, 'forward',
                        lambda x: calls.append(torch.is_grad_enabled()) or real(x))
    model.train_step(batch(), OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1)))
    assert len(calls) == forwards
    assert calls.count(False) == (0 if reuse else 6)


def test_predict_after_recalibration_and_eval_arch():
    model = make_model(eval_arch='min')
    assert model.arch == model.min_arch.replace(num_classes=5)
    data = model.data_preprocessor(batch(), False)
    used = model.recalibrate([batch(seed=s) for s in range(3)], 2)
    assert used == 2
    model.eval()
    out = model(data['inputs'], data['data_samples'], mode='predict')
    assert len(out) == 8 and out[0].pred_score.shape == (5,)
    with pytest.raises(ValueError, match='resolution'):
        model.set_eval_arch(model.max_arch.replace(resolution=224))


def test_sampler_state_in_model_state_dict():
    a, b = make_model(seed=1), make_model(seed=2)
    for _ in range(3):
        a.sampler.candidates()
    b.load_state_dict(a.state_dict())
    assert a.sampler.candidates() == b.sampler.candidates()


def test_reuse_scoring_forward_is_the_published_step():
    """Training on the winner's grad-mode scoring forward is the authors' step
    (train_attentive_nas.py lines 287-304: the k candidates scored without
    grad in train mode, then the winner run again with grad): same winners,
    same updated weights."""
    sampler = dict(type='AttentiveSampler', score='loss', num_candidates=3, pool_size=300,
                   bucket_mflops=1.0)
    models = [make_model(sampler, reuse_scoring_forward=r) for r in (False, True)]
    for m in models:  # away from the zero-gamma init, so every block's branch counts
        for bn in m.modules():
            if isinstance(bn, torch.nn.BatchNorm2d):
                bn.weight.data.fill_(0.7)
    for step in range(2):
        for m in models:
            torch.manual_seed(step)  # the same dropout / drop-connect masks of the max subnet
            m.train_step(batch(seed=step), OptimWrapper(
                torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)))
    a, b = (dict(m.named_parameters()) for m in models)
    for name in a:
        torch.testing.assert_close(a[name], b[name], atol=1e-6, rtol=1e-5, msg=name)
    assert models[0].sampler.rng.getstate() == models[1].sampler.rng.getstate()
