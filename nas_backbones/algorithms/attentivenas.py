"""AttentiveNAS supernet training as an mmengine model
(docs/methods/attentivenas.md#sandwich-rule).

Per batch, the sandwich rule with in-place distillation: the max subnet
(label-smoothed CE, dropout + drop-connect), then ``num_subnets - 2``
sampled subnets and the min subnet, each with soft CE to the max subnet's
detached output. One ``optim_wrapper.backward`` per subnet, then one
``step()`` (which clips by value) and ``zero_grad()``.

Distributed: every rank trains the same archs (the candidates are broadcast
from rank 0 as an int tensor; minibatch-loss scores are averaged over the
ranks, so all pick the same winner), and gradients are averaged once per
step, after the last backward. Run it under ``SandwichDataParallel``
(mmengine's DDP wrapper would call ``forward`` instead of this
``train_step``; see ``sandwich_ddp.py``).
"""
from __future__ import annotations

import random
from pathlib import Path
from typing import Optional, Union

import torch
import torch.nn.functional as F
from mmengine import dist
from mmengine.model import BaseModel

from ..arch import AttentiveArch, load_arch
from ..estimators.flops import count_flops
from ..ops.bn_recalib import recalibrate_bn
from ..registry import ARCH_SAMPLERS, MODELS
from ..samplers.base import RNG_STATE_LEN, rng_state_ints, set_rng_state_ints
from ..supernets.attentive_supernet import AttentiveSupernet, space_from_cfg


def soft_cross_entropy(logits: torch.Tensor, target_logits: torch.Tensor) -> torch.Tensor:
    """In-place distillation loss: CE against the teacher's softmax (T = 1)."""
    return -(F.softmax(target_logits, dim=1) * F.log_softmax(logits, dim=1)).sum(1).mean()


@MODELS.register_module()
class AttentiveNAS(BaseModel):
    """Sandwich-rule supernet training with attentive sampling.

    Args:
        space (str | dict, optional): Search space: a ``supernet_config``
            yml, a full mapping, or a partial one merged onto the published
            space (e.g. ``dict(resolutions=[64, 96])``). Defaults to published.
        supernet (dict): ``AttentiveSupernet`` kwargs (num_classes, dropout,
            drop_path_rate, bn_momentum, bn_eps). Defaults to {}.
        sampler (dict): ``ARCH_SAMPLERS`` config of the sampled subnets.
            Defaults to uniform.
        num_subnets (int): Subnets per step, max and min included. Defaults to 4.
        label_smooth (float): Of the max subnet's CE. Defaults to 0.1.
        seed (int): Seed of the sampler's ``random.Random``. Defaults to 0.
        eval_arch (str | dict | AttentiveArch): Subnet that val/test (and
            ``mode='predict'``) evaluate: 'max', 'min', a file, a mapping.
            Defaults to 'max'.
        reuse_scoring_forward (bool): Minibatch-loss scoring runs the k
            candidate forwards with grad and trains on the winner's (k
            forwards per slot) instead of the published k no-grad forwards
            plus the winner again with grad (k + 1). Same maths (train-mode
            BN: the scoring forward is the training forward; the same step,
            tested); keeps the k candidates' graphs alive until the pick.
            Measured 0.92-0.94x the published scoring's step time on CPU
            (BestUp-3 1.25-1.29x the uniform sandwich vs 1.38-1.42x,
            benchmarks/RESULTS.md), hence the default; False gives the
            published order of operations with one graph alive at a time
            (less memory). Defaults to True.
        arch_log (str, optional): Append the trained archs of every step to
            ``{arch_log}.rank{r}`` (checks that ranks agree). Defaults to None.
        data_preprocessor (dict, optional): Defaults to mmpretrain's
            ``ClsDataPreprocessor``.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self, space: Union[str, dict, None] = None, supernet: Optional[dict] = None,
                 sampler: Optional[dict] = None, num_subnets: int = 4,
                 label_smooth: float = 0.1, seed: int = 0,
                 eval_arch: Union[str, dict, AttentiveArch] = 'max',
                 reuse_scoring_forward: bool = True, arch_log: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        if isinstance(data_preprocessor, dict) or data_preprocessor is None:
            data_preprocessor = dict(data_preprocessor or {})
            data_preprocessor.setdefault('type', 'mmpretrain.ClsDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if num_subnets < 2:
            raise ValueError(f'num_subnets: the sandwich needs max and min (>= 2), got {num_subnets}')
        self.space = space_from_cfg(space)
        self.supernet = AttentiveSupernet(self.space, **(supernet or {}))
        sampler_cfg = dict(sampler or dict(type='UniformSampler'))
        sampler_cfg.setdefault('_scope_', 'nas_backbones')  # whatever scope is current
        self.sampler = ARCH_SAMPLERS.build(sampler_cfg,
                                           default_args=dict(space=self.space,
                                                             rng=random.Random(seed)))
        self.num_subnets, self.label_smooth = num_subnets, label_smooth
        self.max_arch, self.min_arch = self.space.max_arch(), self.space.min_arch()
        self.set_eval_arch(eval_arch)
        self.arch_log, self.reuse_scoring_forward = arch_log, reuse_scoring_forward
        # The sampler's generator state, kept in a buffer so checkpoints carry
        # it (a resumed run draws the same next arch) and mmengine can
        # broadcast the state dict (tensors only).
        self.register_buffer('sampler_rng', torch.zeros(RNG_STATE_LEN, dtype=torch.long))

    # ------------------------------------------------------------- archs
    @property
    def arch(self) -> AttentiveArch:
        """The subnet val/test evaluate (read by tools' summaries)."""
        return self.eval_arch

    def set_eval_arch(self, arch: Union[str, dict, AttentiveArch]) -> None:
        """Choose the subnet that ``predict`` runs ('max', 'min', file, mapping)."""
        if isinstance(arch, str) and arch in ('max', 'min'):
            arch = self.max_arch if arch == 'max' else self.min_arch
        arch = load_arch(arch)
        if not isinstance(arch, AttentiveArch):
            raise ValueError(f'eval_arch: expected an AttentiveNAS arch, got {type(arch).__name__}')
        self.eval_arch = self.space.validate(arch.replace(num_classes=self.supernet.num_classes))

    def _sync_candidates(self, cands: list[AttentiveArch]) -> list[AttentiveArch]:
        # Rank 0's draw wins (pickle-free: the 31-number encodings as a tensor).
        if dist.get_world_size() == 1:
            return cands
        genes = torch.tensor([a.encode() for a in cands], dtype=torch.long)
        dist.broadcast(genes, src=0)
        return [self.space.decode(g) for g in genes.tolist()]

    # ------------------------------------------------------------ losses
    def _logits(self, inputs: dict, arch: AttentiveArch, regularize: bool = False):
        self.supernet.set_arch(arch, regularize=regularize)
        res = arch.resolution
        if res not in inputs:  # one bicubic resize per resolution and batch
            inputs[res] = self.supernet.resize(inputs['raw'], res)
        return self.supernet(inputs[res])

    def _pick(self, inputs: dict, labels: torch.Tensor):
        """(arch, logits) of one sampled slot. Loss-scored candidates run in
        train mode (BN batch statistics), so a scoring forward equals the
        training forward and ``reuse_scoring_forward`` may train on it."""
        cands = self._sync_candidates(self.sampler.candidates())
        if len(cands) == 1:
            return cands[0], self._logits(inputs, cands[0])
        outs, losses = [], []
        for arch in cands:
            with torch.set_grad_enabled(self.reuse_scoring_forward and torch.is_grad_enabled()):
                logits = self._logits(inputs, arch)
            outs.append(logits)
            losses.append(F.cross_entropy(logits.detach().float(), labels,
                                          label_smoothing=self.label_smooth))
        scores = torch.stack(losses)
        if dist.get_world_size() > 1:
            dist.all_reduce(scores, op='mean')  # the global batch's loss: all ranks agree
        best = self.sampler.select(scores.tolist())
        if self.reuse_scoring_forward:
            return cands[best], outs[best]
        return cands[best], self._logits(inputs, cands[best])

    def train_step(self, data: Union[dict, tuple, list], optim_wrapper) -> dict:
        """One sandwich step: ``num_subnets`` backwards, one optimizer step."""
        with optim_wrapper.optim_context(self):
            data = self.data_preprocessor(data, True)
            labels = torch.cat([ds.gt_label for ds in data['data_samples']]).to(
                data['inputs'].device)
            inputs = {'raw': data['inputs']}
            logits = self._logits(inputs, self.max_arch, regularize=True)
            loss_max = F.cross_entropy(logits, labels, label_smoothing=self.label_smooth)
        optim_wrapper.backward(loss_max)
        teacher = logits.detach()
        archs, loss_kd = [self.max_arch], loss_max.new_zeros(())
        for i in range(1, self.num_subnets):
            with optim_wrapper.optim_context(self):
                if i == self.num_subnets - 1:
                    arch, logits = self.min_arch, self._logits(inputs, self.min_arch)
                else:
                    arch, logits = self._pick(inputs, labels)
                loss = soft_cross_entropy(logits, teacher)
            optim_wrapper.backward(loss)
            archs.append(arch)
            loss_kd = loss_kd + loss.detach()
        if dist.get_world_size() > 1:
            dist.all_reduce_params([p.grad for p in self.parameters() if p.grad is not None],
                                   op='mean')
        optim_wrapper.step()
        optim_wrapper.zero_grad()
        self._log_archs(archs)
        _, log_vars = self.parse_losses({
            'loss_max': loss_max.detach(), 'loss_kd': loss_kd,
            'sampled_mflops': torch.tensor(sum(count_flops(a, space=self.space) for a in archs[1:-1])
                                           / 1e6 / max(1, len(archs) - 2))})
        return log_vars

    def _log_archs(self, archs: list[AttentiveArch]) -> None:
        if self.arch_log is None:
            return
        path = Path(f'{self.arch_log}.rank{dist.get_rank()}')
        with path.open('a') as f:
            f.write(' | '.join(' '.join(map(str, a.encode())) for a in archs) + '\n')

    # -------------------------------------------------- forward / predict
    def forward(self, inputs: torch.Tensor, data_samples: Optional[list] = None,
                mode: str = 'tensor'):
        """mmengine modes on the eval arch: 'tensor' (logits), 'loss' (CE),
        'predict' (data samples with scores and labels)."""
        self.supernet.set_arch(self.eval_arch, regularize=False)
        logits = self.supernet(inputs)
        if mode == 'tensor':
            return logits
        if mode == 'loss':
            labels = torch.cat([ds.gt_label for ds in data_samples]).to(logits.device)
            return {'loss_cls': F.cross_entropy(logits, labels, label_smoothing=self.label_smooth)}
        if mode == 'predict':
            scores = F.softmax(logits, dim=1)
            if data_samples is None:
                from mmpretrain.structures import DataSample
                data_samples = [DataSample() for _ in range(len(scores))]
            for ds, s in zip(data_samples, scores):
                ds.set_pred_score(s).set_pred_label(s.argmax(keepdim=True))
            return data_samples
        raise ValueError(f"mode: expected 'tensor', 'loss' or 'predict', got {mode!r}")

    @torch.no_grad()
    def recalibrate(self, batches, num_batches: int,
                    arch: Optional[AttentiveArch] = None) -> int:
        """Re-estimate BN statistics of ``arch`` (default: the eval arch) on
        ``num_batches`` data batches (every subnet before evaluation;
        docs/methods/attentivenas.md#bn-recalibration),
        averaged over the ranks of a distributed run."""
        arch = arch or self.eval_arch
        self.supernet.set_arch(arch, regularize=False)

        def forward(model, data):
            model(self.data_preprocessor(data, False)['inputs'])

        return recalibrate_bn(self.supernet, batches, num_batches, forward)

    # ----------------------------------------------- sampler checkpointing
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        self.sampler_rng.copy_(torch.tensor(rng_state_ints(self.sampler.rng)))
        super()._save_to_state_dict(destination, prefix, keep_vars)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        if prefix + 'sampler_rng' in state_dict and self.sampler_rng.any():
            set_rng_state_ints(self.sampler.rng, self.sampler_rng.tolist())
