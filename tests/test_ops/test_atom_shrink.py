"""Atom dropping rules (ops/atom_shrink.py) on plain tensors and optimizers:
which atoms are dead, and the optimizer state that follows the sliced
parameters. On the supernet: tests/test_supernets/test_atomnas_supernet.py."""
import pytest
import torch

from nas_backbones.ops.atom_shrink import dead_atom_masks, slice_optimizer_state


def test_dead_masks_need_both_alpha_and_ema():
    a = [torch.tensor([0.0, 0.5, 1e-4, 0.2])]
    e = [torch.tensor([1e-4, 1e-4, 0.5, 0.2])]
    assert dead_atom_masks(a, e, 1e-3)[0].tolist() == [True, False, False, False]
    assert dead_atom_masks(a, e, 1e-3, ema_only=True)[0].tolist() == [True, True, False, False]
    assert dead_atom_masks(a, None, 1e-3)[0].tolist() == [True, False, True, False]
    with pytest.raises(ValueError, match='threshold'):
        dead_atom_masks(a, e, 0.0)


def test_alpha_at_the_threshold_is_dead():
    """The authors keep an atom iff ``|alpha| > threshold`` (meijieru/AtomNAS
    train.py L48-50 and L53-56, utils/prune.py L194): |alpha| == threshold
    is dead, in the weights and in the EMA."""
    t = 1e-3
    a = [torch.tensor([t, -t, t * (1 + 1e-6), 0.5])]
    assert dead_atom_masks(a, None, t)[0].tolist() == [True, True, False, False]
    assert dead_atom_masks(a, a, t)[0].tolist() == [True, True, False, False]
    assert dead_atom_masks(a, a, t, ema_only=True)[0].tolist() == [True, True, False, False]


def test_slice_optimizer_state_drops_removed_params():
    p, q = torch.nn.Parameter(torch.ones(4)), torch.nn.Parameter(torch.ones(3))
    opt = torch.optim.SGD([p, q], lr=0.1, momentum=0.9)
    (p.sum() + q.sum()).backward()
    opt.step()
    new = torch.nn.Parameter(torch.ones(2))
    changed = slice_optimizer_state(opt, {p: (new, 0, torch.tensor([0, 2])), q: (None, 0, None)})
    assert changed == 2
    assert opt.param_groups[0]['params'] == [new]
    assert opt.state[new]['momentum_buffer'].shape == (2,)
    assert q not in opt.state and p not in opt.state
