"""RMSProp as the published AtomNAS code uses it
(docs/methods/atomnas.md#training-recipe).

It differs from ``torch.optim.RMSprop`` in one place that matters at
eps 1e-3: the eps sits *inside* the square root, ``sqrt(v + eps)``, as in
TensorFlow, where torch computes ``sqrt(v) + eps``. With the gradients of a
MobileNet (``v`` around 1e-6..1e-2) the two denominators differ by up to 30x
in the first steps. The square average starts at 0 (torch's choice as well;
TensorFlow starts it at 1).

Update, per parameter (``wd`` is the coupled L2 term, as in torch)::

    g = grad + wd * p
    v = alpha * v + (1 - alpha) * g^2
    buf = momentum * buf + g / sqrt(v + eps)
    p = p - lr * buf

``lr_in_momentum=True`` gives TensorFlow's form ``buf = momentum * buf +
lr * g / sqrt(v + eps); p = p - buf``, which differs only while lr changes.
"""
from __future__ import annotations

import torch
from torch.optim import Optimizer

from ...registry import OPTIMIZERS


@OPTIMIZERS.register_module()
class RMSpropTF(Optimizer):
    """RMSProp with eps inside the square root (TensorFlow / published AtomNAS).

    Args:
        params: Parameters or param groups.
        lr (float): Learning rate. Defaults to 0.016.
        alpha (float): Square-average decay (TF ``rho``). Defaults to 0.9.
        eps (float): Added to the square average inside the sqrt.
            Defaults to 1e-3.
        momentum (float): Defaults to 0.9.
        weight_decay (float): Coupled L2 (added to the gradient).
            Defaults to 0.
        lr_in_momentum (bool): TensorFlow's placement of lr inside the
            momentum buffer. Defaults to False (the published PyTorch code).
    """

    def __init__(self, params, lr: float = 0.016, alpha: float = 0.9, eps: float = 1e-3,
                 momentum: float = 0.9, weight_decay: float = 0.0, lr_in_momentum: bool = False):
        for name, value in (('lr', lr), ('eps', eps), ('momentum', momentum),
                            ('weight_decay', weight_decay)):
            if not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f'{name}: expected a number >= 0, got {value!r}')
        if not 0.0 <= alpha < 1.0:
            raise ValueError(f'alpha: expected a number in [0, 1), got {alpha!r}')
        defaults = dict(lr=lr, alpha=alpha, eps=eps, momentum=momentum,
                        weight_decay=weight_decay, lr_in_momentum=lr_in_momentum)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, alpha, eps = group['lr'], group['alpha'], group['eps']
            momentum, wd = group['momentum'], group['weight_decay']
            for p in group['params']:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError('RMSpropTF does not support sparse gradients')
                grad = p.grad if wd == 0 else p.grad.add(p, alpha=wd)
                state = self.state[p]
                if not state:
                    state['step'] = 0
                    state['square_avg'] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    if momentum > 0:
                        state['momentum_buffer'] = torch.zeros_like(
                            p, memory_format=torch.preserve_format)
                state['step'] += 1
                square_avg = state['square_avg']
                square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
                avg = square_avg.add(eps).sqrt_()
                if momentum > 0:
                    buf = state['momentum_buffer']
                    if group['lr_in_momentum']:
                        buf.mul_(momentum).addcdiv_(grad, avg, value=lr)
                        p.sub_(buf)
                    else:
                        buf.mul_(momentum).addcdiv_(grad, avg)
                        p.add_(buf, alpha=-lr)
                else:
                    p.addcdiv_(grad, avg, value=-lr)
        return loss
