"""The authors' supernets for ``gpu_suite.py --authors-src DIR`` (optional).

Nothing of the authors' code is in this repository: DIR holds their
repositories as exported at run time (``git archive``), laid out as

    DIR/atomnas/       meijieru/AtomNAS            (models/mobilenet_supernet.py)
    DIR/attentivenas/  facebookresearch/AttentiveNAS (models/attentive_nas_dynamic_model.py)

Both are plain PyTorch (no OpenMMLab). Their top-level packages are both
named ``models`` and ``utils``, so each is imported with its folder first on
``sys.path`` and those modules are dropped from ``sys.modules`` afterwards.
The steps below mirror the authors' training loops (AtomNAS ``train.py``:
one CE step; AttentiveNAS ``train_attentive_nas.py:train_epoch``: the
sandwich with in-place KD, clip by value, one SGD step) on the archs the
suite gives them, so their step time sits beside ours in the same rounds.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path

import torch
import yaml


def _root(src, name: str, marker: str) -> Path:
    root = Path(src) / name
    if not (root / marker).is_file():
        raise FileNotFoundError(f"--authors-src: {root / marker} is missing (export the authors' "
                                f"repository into {root} with git archive)")
    return root


@contextmanager
def _authors_path(folder: Path):
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m.split('.')[0] in ('models', 'utils')]:
            del sys.modules[name]


def atomnas_supernet(src: Path, resolution: int = 224) -> torch.nn.Module:
    """The authors' AtomNAS supernet as ``apps/slimming/shrink/atomnas_b.yml``
    builds it (ReLU, BN momentum 0.01, eps 1e-3)."""
    root = _root(src, 'atomnas', 'models/mobilenet_supernet.py')
    cfg = root / 'apps/mobilenet/models/fix_first/supernet_single_path_nas.yml'
    kwargs = yaml.safe_load(cfg.read_text())  # a flow mapping: plain YAML
    kwargs.update(active_fn='nn.ReLU', batch_norm_momentum=0.01, batch_norm_epsilon=1e-3,
                  input_size=resolution)
    with _authors_path(root):
        from models.mobilenet_supernet import MobileNetV2
        return MobileNetV2(**kwargs)


def _arch_dict(arch) -> dict:
    return dict(resolution=arch.resolution, width=list(arch.width), depth=list(arch.depth),
                kernel_size=list(arch.kernel), expand_ratio=list(arch.expand))


class AuthorsSandwich:
    """``train_epoch``'s sandwich step on the authors' dynamic model, with the
    middle subnets fixed to the suite's archs (uniform sampling, 4 subnets)."""

    def __init__(self, src: Path, resolutions=None):
        root = _root(src, 'attentivenas', 'models/attentive_nas_dynamic_model.py')
        cfg = yaml.safe_load((root / 'configs/train_attentive_nas_models.yml').read_text())
        if resolutions is not None:  # smoke runs: the suite's reduced resolutions
            cfg['supernet_config']['resolutions'] = list(resolutions)
        with _authors_path(root):
            from models.attentive_nas_dynamic_model import AttentiveNasDynamicModel
            from utils.config import AttrDict
            from utils.loss_ops import CrossEntropyLossSmooth, KLLossSoft
            self.net = AttentiveNasDynamicModel(AttrDict(cfg['supernet_config']), n_classes=1000,
                                                bn_param=(0.0, 1e-5))
        self.criterion, self.soft = CrossEntropyLossSmooth(0.1), KLLossSoft()
        self.amp, self.opt, self.middle = False, None, []

    def prepare(self, device, memory_format, middle, amp: bool):
        """Move to the configuration's device / memory format; fresh optimizer."""
        self.amp = amp
        self.net.to(device=device, memory_format=memory_format).train()
        self.opt = torch.optim.SGD(self.net.parameters(), lr=0.01, momentum=0.9, nesterov=True)
        self.middle = [_arch_dict(a) for a in middle]
        return self

    def step(self, x, labels):
        net, ctx = self.net, (torch.autocast(x.device.type, dtype=torch.bfloat16) if self.amp
                              else nullcontext())
        self.opt.zero_grad()
        net.sample_max_subnet()
        net.set_dropout_rate(0.2, 0.2, True)
        with ctx:
            out = net(x)
            loss = self.criterion(out, labels)
        loss.backward()
        soft_logits = out.clone().detach()
        net.set_dropout_rate(0, 0, True)
        for arch in self.middle + [None]:
            if arch is None:
                net.sample_min_subnet()
            else:
                net.set_active_subnet(**arch)
            with ctx:
                loss = self.soft(net(x), soft_logits)
            loss.backward()
        torch.nn.utils.clip_grad_value_(net.parameters(), 1.0)
        self.opt.step()
