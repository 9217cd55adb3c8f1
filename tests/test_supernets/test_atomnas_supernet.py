"""AtomNASSupernet shrinking (ops/atom_shrink.py applied to the supernet):
atom costs, outputs, optimizer state, twins, shrinking to a saved or a
published arch; on the supernet's training blocks and the plain static blocks
alike. The mask and optimizer-state rules alone: tests/test_ops/test_atom_shrink.py."""
import copy

import pytest
import torch

from nas_backbones.estimators import count_cost
from nas_backbones.engine.optimizers import RMSpropTF
from nas_backbones.ops.atom_shrink import drop_atoms, keep_first, resolve_keep_mask
from nas_backbones.ops.static_net import build_atomnas_net
from nas_backbones.supernets import AtomNASSupernet

# A small supernet: residual blocks (2, 4), strided ones (1, 3, 5), a width change.
TINY = [(1, 8, 1, 1), (6, 8, 2, 2), (6, 16, 2, 2), (6, 24, 1, 2)]


def tiny_supernet(se_ratio=0.0, **kwargs):
    torch.manual_seed(0)
    net = AtomNASSupernet(setting=TINY, resolution=32, last_channels=32, num_classes=5,
                          se_ratio=se_ratio, dropout=0.0, **kwargs)
    # Non-trivial BN statistics and affine parameters, so that a wrong slice shows.
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    net.head.fc.weight.data.normal_(0, 1)  # logits large enough to compare
    return net


def random_keep(net, seed, empty=()):
    """Random keep masks per searchable block; blocks in ``empty`` lose all
    atoms, and block 2 loses its whole 5x5 branch."""
    g = torch.Generator().manual_seed(seed)
    keep = {}
    for i in net.searchable_blocks():
        block = net.blocks[i]
        k = torch.rand(block.num_atoms, generator=g) > 0.4
        if i == 2:
            k[block.atom_slices()[1]] = False
        if i in empty:
            k[:] = False
        keep[i] = k
    return keep


@pytest.mark.parametrize('se_ratio', [0.0, 0.5], ids=['plain', 'se'])
@pytest.mark.parametrize('empty', [(), (2, 4), (3,)], ids=['partial', 'identity', 'keep-one'])
def test_atom_costs_sum_to_estimator_drop(se_ratio, empty):
    net = tiny_supernet(se_ratio)
    keep = random_keep(net, 1, empty)
    before = count_cost(net.current_arch()).flops
    predicted = net.dead_flops({i: ~k for i, k in keep.items()})
    net.shrink(keep)
    assert before - count_cost(net.current_arch()).flops == predicted
    assert net.cost().flops == count_cost(net.current_arch()).flops


def test_supernet_counts_match_the_paper():
    assert round(AtomNASSupernet().cost().mflops, 2) == 1521.04
    assert round(AtomNASSupernet(stem_channels=16).cost().mflops, 2) == 1510.60


def zero_atoms(net, keep):
    with torch.no_grad():
        for i, k in keep.items():
            net.blocks[i].bn_dw.weight[~k] = 0
            net.blocks[i].bn_dw.bias[~k] = 0
            if not k.any() and net.blocks[i].has_residual:
                # A block that becomes the identity also loses its projection BN's
                # constant output; make it exactly zero too.
                net.blocks[i].project.bn.weight.zero_()
                net.blocks[i].project.bn.bias.zero_()


@pytest.mark.parametrize('se_ratio', [0.0, 0.5], ids=['plain', 'se'])
@pytest.mark.parametrize('empty', [(), (2, 4), (3,)], ids=['partial', 'identity', 'keep-one'])
def test_removing_zero_atoms_keeps_output(se_ratio, empty):
    net = tiny_supernet(se_ratio).eval()
    keep = random_keep(net, 2, empty)
    zero_atoms(net, keep)
    x = torch.randn(3, 3, 32, 32)
    with torch.no_grad():
        before = net(x)
        net.shrink(keep)
        after = net(x)
    torch.testing.assert_close(after, before, atol=1e-5, rtol=1e-5)
    if 2 not in empty:
        assert net.blocks[2].kernel_sizes == [3, 7]  # the emptied 5x5 branch is gone
    for i in empty:
        if net.blocks[i].has_residual:
            assert net.blocks[i].is_identity
        else:
            assert net.blocks[i].num_atoms == 1


def test_shrunk_supernet_is_the_static_net_of_its_arch():
    net = tiny_supernet().eval()
    net.shrink(random_keep(net, 3, (2,)))
    static = build_atomnas_net(net.current_arch()).eval()
    static.load_state_dict(net.backbone.state_dict())
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(static(x), net.backbone(x))


@pytest.mark.parametrize('make_opt', [
    lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
    lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.9),
    lambda p: RMSpropTF(p, lr=0.01),
], ids=['sgd', 'rmsprop', 'rmsprop-tf'])
def test_optimizer_state_of_survivors_unchanged(make_opt):
    net = tiny_supernet()
    opt = make_opt(net.parameters())
    x, y = torch.randn(4, 3, 32, 32), torch.randint(0, 5, (4,))
    for _ in range(2):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    names = {p: n for n, p in net.named_parameters()}
    before = {names[p]: {k: v.clone() for k, v in s.items() if torch.is_tensor(v) and v.dim()}
              for p, s in opt.state.items()}
    keep = random_keep(net, 4, (2,))
    block = net.blocks[4]
    idx = keep[4].nonzero().flatten()
    net.shrink(keep, opt)
    params = dict(net.named_parameters())
    # Param groups hold exactly the live parameters, each with its state.
    assert [id(p) for g in opt.param_groups for p in g['params']] == \
        [id(p) for p in net.parameters()]
    assert set(opt.state) == set(net.parameters())
    for k in before['backbone.blocks.4.bn_dw.weight']:
        torch.testing.assert_close(opt.state[block.bn_dw.weight][k],
                                   before['backbone.blocks.4.bn_dw.weight'][k][idx], rtol=0, atol=0)
        torch.testing.assert_close(opt.state[block.project.conv.weight][k],
                                   before['backbone.blocks.4.project.conv.weight'][k][:, idx],
                                   rtol=0, atol=0)
        torch.testing.assert_close(opt.state[block.expand.conv.weight][k],
                                   before['backbone.blocks.4.expand.conv.weight'][k][idx],
                                   rtol=0, atol=0)
    # Untouched tensors keep their state as it was.
    for k, v in before['head.fc.weight'].items():
        torch.testing.assert_close(opt.state[params['head.fc.weight']][k], v, rtol=0, atol=0)
    opt.zero_grad()
    torch.nn.functional.cross_entropy(net(x), y).backward()
    opt.step()  # shapes agree: the next step runs


def test_twin_loses_the_same_atoms():
    net = tiny_supernet()
    twin = copy.deepcopy(net)
    with torch.no_grad():
        for p in twin.parameters():
            p.add_(1.0)
    keep = random_keep(net, 5, (3,))
    net.shrink(keep, twins=[twin])
    assert twin.current_arch() == net.current_arch()
    for (n, p), (_, q) in zip(net.named_parameters(), twin.named_parameters()):
        torch.testing.assert_close(q, p + 1.0, msg=n)


def test_keep_one_atom_is_the_strongest():
    net = tiny_supernet()
    block = net.blocks[3]
    assert not block.has_residual
    with torch.no_grad():
        block.bn_dw.weight[7] = 5.0
    keep = resolve_keep_mask(block, torch.zeros(block.num_atoms, dtype=torch.bool))
    assert keep.nonzero().flatten().tolist() == [7]
    with pytest.raises(ValueError, match='resolve_keep_mask'):
        drop_atoms(block, torch.zeros(block.num_atoms, dtype=torch.bool))


def test_shrink_to_arch_reaches_saved_shapes():
    net = tiny_supernet()
    net.shrink(random_keep(net, 6, (2,)))
    fresh = tiny_supernet()
    fresh.shrink_to_arch(net.current_arch())
    assert fresh.current_arch() == net.current_arch()
    fresh.load_state_dict(net.state_dict())
    with pytest.raises(ValueError, match='cannot be reached'):
        net.shrink_to_arch(tiny_supernet().current_arch())
    with pytest.raises(ValueError, match='atoms'):
        keep_first(fresh.blocks[1], [1])


@pytest.mark.parametrize('name,stem,mflops', [('atomnas_a', 16, 258.29), ('atomnas_b', 32, 326.05),
                                              ('atomnas_c', 32, 359.86)])
def test_supernet_shrinks_to_published_archs(name, stem, mflops):
    """The published nets are sub-archs of the supernet (files list only the
    live kernel sizes of a block)."""
    from nas_backbones.arch import load_arch
    net = AtomNASSupernet(stem_channels=stem)
    net.shrink_to_arch(load_arch(name))
    assert round(net.cost().mflops, 2) == mflops


def test_drop_atoms_slices_plain_and_training_blocks_alike():
    """ops.atom_shrink works on the deployable AtomicBlock as on the
    supernet's AtomicTrainingBlock (same modules, same state-dict keys)."""
    from nas_backbones.ops.atomic_block import AtomicBlock
    from nas_backbones.supernets import AtomicTrainingBlock
    net = tiny_supernet(0.5).eval()
    plain = build_atomnas_net(net.space_arch).eval()
    plain.load_state_dict(net.backbone.state_dict())
    assert all(type(b) is AtomicBlock for b in plain.blocks)
    assert all(type(b) is AtomicTrainingBlock for b in net.blocks)
    keep = random_keep(net, 7, (2,))
    for i, k in keep.items():
        mask = resolve_keep_mask(net.blocks[i], k)
        drop_atoms(net.blocks[i], mask)
        drop_atoms(plain.blocks[i], mask)
    assert plain.state_dict().keys() == net.backbone.state_dict().keys()
    for (n, a), b in zip(plain.state_dict().items(), net.backbone.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=n)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(plain(x), net.backbone(x), rtol=0, atol=0)
