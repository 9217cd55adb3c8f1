"""The AtomNAS algorithm model: loss terms, logging keys, predict output."""
import pytest
import torch
from mmengine.registry import DefaultScope
from mmpretrain.evaluation import Accuracy
from mmpretrain.structures import DataSample

from nas_backbones.algorithms import AtomNAS, decayed_parameters
from nas_backbones.registry import MODELS

TINY = [(1, 8, 1, 1), (6, 8, 2, 2), (6, 16, 1, 2)]


def tiny_model(**kwargs):
    torch.manual_seed(0)
    kwargs.setdefault('supernet', dict(setting=TINY, resolution=32, num_classes=4,
                                       last_channels=16, dropout=0.0))
    return AtomNAS(data_preprocessor=dict(num_classes=4, mean=[127.5] * 3, std=[127.5] * 3),
                   **kwargs)


def batch(n=4):
    g = torch.Generator().manual_seed(1)
    return dict(inputs=[torch.rand(3, 32, 32, generator=g) * 255 for _ in range(n)],
                data_samples=[DataSample().set_gt_label(i % 4) for i in range(n)])


def test_loss_terms_and_log_keys():
    model = tiny_model(l1_lambda=1e-2, weight_decay=1e-3)
    model.set_l1_scale(0.5)
    data = model.data_preprocessor(batch(), True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_cls', 'loss_atom_l1', 'loss_l2', 'l1_lambda', 'mflops',
                           'live_atoms'}
    net = model.supernet
    # lambda * sum c_i |alpha_i| / mean cost, c_i from the atom-cost formula
    # (docs/methods/atomnas.md#atom-costs; block 1: 8 -> 8 channels, 16x16 in,
    # stride 2 -> 8x8 out).
    c = {k: 8 * 16 * 16 + k * k * 8 * 8 + 8 * 8 * 8 for k in (3, 5, 7)}
    assert net._branch_costs[1] == c
    manual = sum(
        (net.atom_costs(i).float() * net.blocks[i].bn_dw.weight.detach().abs()).sum()
        for i in net.searchable_blocks()) / net.cost_mean
    torch.testing.assert_close(losses['loss_atom_l1'].detach(), 0.5e-2 * manual)
    l2 = sum(p.detach().pow(2).sum() for p in decayed_parameters(net))
    torch.testing.assert_close(losses['loss_l2'].detach(), 0.5 * 1e-3 * l2)
    assert losses['l1_lambda'].item() == pytest.approx(0.5e-2)
    assert losses['mflops'].item() == pytest.approx(net.cost().mflops)
    assert losses['live_atoms'].item() == net.current_arch().num_atoms
    total, log_vars = model.parse_losses(losses)
    torch.testing.assert_close(total, losses['loss_cls'] + losses['loss_atom_l1'] + losses['loss_l2'])
    assert 'mflops' in log_vars


def test_penalty_gradient_is_cost_weighted_sign():
    model = tiny_model(l1_lambda=0.1)
    alpha = model.supernet.blocks[1].bn_dw.weight
    with torch.no_grad():
        alpha[:5] = -0.3
    model.supernet.atom_penalty().backward()
    expected = torch.sign(alpha.detach()) * model.supernet.atom_costs(1).float() / \
        model.supernet.cost_mean
    torch.testing.assert_close(alpha.grad, expected)



def uniform_model(**kwargs):
    return tiny_model(supernet=dict(setting=TINY, resolution=32, num_classes=4, last_channels=16,
                                    dropout=0.0, penalty_costs='uniform'), **kwargs)


def test_uniform_penalty_is_network_slimming_l1():
    # Network slimming (Liu et al. 2017), AtomNAS Table 2's baseline: lambda *
    # sum |gamma| over the BN after each dw conv, every atom weighed alike.
    model = uniform_model(l1_lambda=1e-2)
    net = model.supernet
    with torch.no_grad():
        net.blocks[1].bn_dw.weight[:3] = -0.5
    gammas = torch.cat([net.blocks[i].bn_dw.weight for i in net.searchable_blocks()])
    losses = model(**model.data_preprocessor(batch(), True), mode='loss')
    torch.testing.assert_close(losses['loss_atom_l1'].detach(), 1e-2 * gammas.detach().abs().sum())
    net.atom_penalty().backward()
    for i in net.searchable_blocks():
        alpha = net.blocks[i].bn_dw.weight
        torch.testing.assert_close(alpha.grad, torch.sign(alpha.detach()))


def test_uniform_costs_survive_shrinking_and_flops_costs_differ():
    model = uniform_model()
    block = model.supernet.blocks[1]
    keep = torch.arange(block.num_atoms) % 3 != 0
    model.drop_atoms({1: keep})
    net = model.supernet
    assert net.atom_cost_weights.shape == (sum(net.blocks[i].num_atoms
                                               for i in net.searchable_blocks()),)
    assert torch.all(net.atom_cost_weights == 1)
    gammas = torch.cat([net.blocks[i].bn_dw.weight for i in net.searchable_blocks()])
    torch.testing.assert_close(net.atom_penalty(), gammas.abs().sum())
    # The option changes only the weights: the shrink trigger still counts FLOPs,
    # and the default arm weighs a 7x7 atom more than a 3x3 one of its block.
    assert net.atom_costs(1).unique().numel() == 3
    flops = tiny_model().supernet
    assert flops.penalty_costs == 'flops' and flops.atom_cost_weights.unique().numel() > 1


def test_penalty_costs_from_config_and_checked():
    with DefaultScope.overwrite_default_scope('nas_backbones'):  # a config's default_scope
        model = MODELS.build(dict(type='AtomNAS', supernet=dict(
            type='AtomNASSupernet', setting=TINY, resolution=32, penalty_costs='uniform')))
    assert model.supernet.penalty_costs == 'uniform'
    assert torch.all(model.supernet.atom_cost_weights == 1)
    with pytest.raises(ValueError, match='^penalty_costs: '):
        uniform_model().supernet.__class__(setting=TINY, penalty_costs='slimming')

def test_decay_excludes_bn_and_se_biases():
    model = tiny_model(supernet=dict(setting=TINY, resolution=32, num_classes=4,
                                     last_channels=16, se_ratio=0.5))
    decayed = {id(p) for p in decayed_parameters(model.supernet)}
    names = [n for n, p in model.supernet.named_parameters() if id(p) in decayed]
    assert 'head.fc.bias' in names and 'head.fc.weight' in names
    assert not any('bn' in n or n.endswith('se.reduce.bias') for n in names)
    assert 'backbone.blocks.1.se.reduce.weight' in names


def test_predict_feeds_mmpretrain_accuracy():
    model = tiny_model().eval()
    data = model.data_preprocessor(batch(), False)
    with torch.no_grad():
        out = model(**data, mode='predict')
    assert len(out) == 4 and out[0].pred_score.shape == (4,)
    metric = Accuracy(topk=(1,))
    metric.process(None, [d.to_dict() for d in out])
    assert 'top1' in metric.compute_metrics(metric.results)


def test_built_by_name_and_arguments_checked():
    with DefaultScope.overwrite_default_scope('nas_backbones'):  # a config's default_scope
        model = MODELS.build(dict(type='AtomNAS', supernet=dict(type='AtomNASSupernet',
                                                                setting=TINY, resolution=32)))
    assert model.arch.num_atoms == model.supernet.space_arch.num_atoms
    with pytest.raises(ValueError, match='l1_lambda'):
        tiny_model(l1_lambda=-1)
    with pytest.raises(ValueError, match='label_smoothing'):
        tiny_model(label_smoothing=1.0)
    with pytest.raises(ValueError, match='scale'):
        tiny_model().set_l1_scale(2.0)
    with pytest.raises(RuntimeError, match='mode'):
        tiny_model()(torch.zeros(1, 3, 32, 32), mode='bogus')


def test_channels_last_model_matches_and_stays_channels_last():
    plain, cl = tiny_model(), tiny_model(channels_last=True)
    data = plain.data_preprocessor(batch(), True)
    torch.testing.assert_close(cl(**data, mode='loss')['loss_cls'],
                               plain(**data, mode='loss')['loss_cls'], atol=1e-5, rtol=1e-5)
    opt = torch.optim.SGD(cl.parameters(), lr=0.1, momentum=0.9)
    cl(**data, mode='loss')['loss_cls'].backward()
    opt.step()
    block = cl.supernet.blocks[1]
    keep = torch.arange(block.num_atoms) % 2 == 0
    cl.drop_atoms({1: keep}, opt)
    w = block.expand.conv.weight
    assert w.is_contiguous(memory_format=torch.channels_last)
    assert opt.state[w]['momentum_buffer'].is_contiguous(memory_format=torch.channels_last)
    cl(**data, mode='loss')['loss_cls'].backward()
    opt.step()
