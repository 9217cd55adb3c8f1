"""RMSpropTF (engine/optimizers/rmsprop_tf.py) against hand-computed steps."""
import math

import pytest
import torch

from nas_backbones.engine.optimizers import RMSpropTF
from nas_backbones.registry import OPTIMIZERS


def run(grads, **kwargs):
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = RMSpropTF([p], **kwargs)
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
    return p.detach(), opt.state[p]


def test_two_steps_by_hand():
    lr, alpha, eps, mom = 0.1, 0.9, 1e-3, 0.9
    p, state = run([[0.5, -0.01], [0.2, 0.03]], lr=lr, alpha=alpha, eps=eps, momentum=mom)
    expected = []
    for x, gs in ((1.0, (0.5, 0.2)), (-2.0, (-0.01, 0.03))):
        v = buf = 0.0  # square average starts at 0
        for g in gs:
            v = alpha * v + (1 - alpha) * g * g
            buf = mom * buf + g / math.sqrt(v + eps)  # eps inside the sqrt
            x -= lr * buf
        expected.append(x)
    torch.testing.assert_close(p, torch.tensor(expected))
    assert state['step'] == 2 and set(state) == {'step', 'square_avg', 'momentum_buffer'}


def test_differs_from_torch_rmsprop_eps_outside():
    grads = [[1e-3, 1e-2]]
    ours, _ = run(grads, lr=0.1, momentum=0.0)
    q = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    torch_opt = torch.optim.RMSprop([q], lr=0.1, alpha=0.9, eps=1e-3)
    q.grad = torch.tensor(grads[0])
    torch_opt.step()
    assert not torch.allclose(ours, q.detach())
    # By hand, no momentum: p - lr * g / sqrt(0.1 g^2 + eps)
    g = torch.tensor(grads[0])
    torch.testing.assert_close(ours, torch.tensor([1.0, -2.0]) - 0.1 * g / (0.1 * g * g + 1e-3).sqrt())


def test_lr_in_momentum_and_weight_decay():
    lr, wd = 0.05, 0.1
    p, _ = run([[0.5, 0.5]], lr=lr, momentum=0.9, weight_decay=wd, lr_in_momentum=True)
    x = torch.tensor([1.0, -2.0])
    g = torch.tensor([0.5, 0.5]) + wd * x  # coupled L2, as in the loss
    torch.testing.assert_close(p, x - lr * g / (0.1 * g * g + 1e-3).sqrt())


def test_registered_and_arguments_checked():
    assert OPTIMIZERS.get('RMSpropTF') is RMSpropTF
    p = [torch.nn.Parameter(torch.ones(1))]
    with pytest.raises(ValueError, match='alpha'):
        RMSpropTF(p, alpha=1.0)
    with pytest.raises(ValueError, match='eps'):
        RMSpropTF(p, eps=-1)
