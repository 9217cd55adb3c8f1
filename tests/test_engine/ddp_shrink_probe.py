"""A hook the 2-rank AtomNAS test loads into tools/train.py (custom_imports):
after every epoch -- after AtomShrinkHook and the EMA hook -- each rank
writes what it holds (live atoms, checksums of parameters, BN statistics,
EMA weights and optimizer state, and whether the optimizer, the EMA copy and
the DDP wrapper point at the live parameters) to ``probe.rank<r>.jsonl``,
and every training loss to the same record."""
import hashlib
import json
from pathlib import Path

import torch
from mmengine.dist import get_rank
from mmengine.hooks import EMAHook, Hook
from mmengine.registry import HOOKS
from torch.nn.parallel import DistributedDataParallel


def checksum(tensors) -> str:
    h = hashlib.sha256()
    for t in tensors:
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


@HOOKS.register_module()
class ShrinkProbeHook(Hook):
    priority = 'LOW'

    def __init__(self, out_dir: str):
        self.out_dir = Path(out_dir)
        self.losses = []

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self.losses.append([runner.iter, float(outputs['loss'])])

    def after_train_epoch(self, runner):
        wrapper = runner.model
        model = wrapper.module if isinstance(wrapper, DistributedDataParallel) else wrapper
        params = list(model.parameters())
        ema = next(h for h in runner.hooks if isinstance(h, EMAHook)).ema_model
        shrink = next(h for h in runner.hooks if type(h).__name__ == 'AtomShrinkHook')
        opt = runner.optim_wrapper.optimizer
        state = [opt.state[p] for p in params]
        ema_params = list(ema.module.parameters())
        record = dict(
            epoch=runner.epoch + 1, rank=get_rank(),
            atoms=[list(b.atoms) for b in model.supernet.blocks],
            shrunk_epochs=[h['epoch'] for h in shrink.history],
            params=checksum(params),
            bn_stats=checksum(b for n, b in model.named_buffers() if 'running' in n),
            ema_params=checksum(ema_params),
            momentum=checksum(s['momentum_buffer'] for s in state),
            optimizer_holds_live_params=[id(p) for g in opt.param_groups for p in g['params']]
            == [id(p) for p in params],
            optimizer_state_shapes_match=all(
                v.shape == p.shape for p, s in zip(params, state) for v in s.values()
                if torch.is_tensor(v) and v.dim() > 0),
            ema_shapes_match=[q.shape for q in ema_params] == [p.shape for p in params],
            # mmengine's EMA updates the tensors of its table in place: they
            # must be (views of) the EMA module's current tensors.
            ema_table_is_live=all(
                ema.avg_parameters[n].data_ptr() == t.data_ptr()
                and ema.avg_parameters[n].shape == t.shape
                for n, t in ema.module.state_dict().items()),
            ddp_wraps_live_params=isinstance(wrapper, DistributedDataParallel)
            and [id(p) for p in wrapper._module_parameters] == [id(p) for p in params],
            losses=self.losses)
        self.losses = []
        with open(self.out_dir / f'probe.rank{get_rank()}.jsonl', 'a') as f:
            f.write(json.dumps(record) + '\n')
