"""Turn a training checkpoint into a weights-only file for release / init_cfg.

    python tools/publish_model.py work_dirs/x/epoch_350.pth atomnas-a_in1k.pth

Keeps the model weights (with an EMAHook, mmengine already put the EMA
weights, the ones evaluated, into ``state_dict``) and a small ``meta``;
drops the optimizer, parameter schedulers, message hub and the raw
(non-EMA) weights. The output loads with ``torch.load(..., weights_only=True)``
and with ``init_cfg=dict(type='Pretrained', checkpoint=OUT, prefix='backbone.')``.
"""
import argparse
import hashlib
import pickle
import sys
from pathlib import Path

import torch

from nas_backbones import __version__
from nas_backbones.engine import load_run_checkpoint

META_KEYS = ('epoch', 'iter', 'mmengine_version', 'dataset_meta', 'cfg', 'experiment_name')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Strip a training checkpoint to its weights')
    parser.add_argument('in_file', metavar='IN', help='training checkpoint (.pth)')
    parser.add_argument('out_file', metavar='OUT', help='weights-only output (.pth)')
    return parser.parse_args(argv)


def publish(in_file: str, out_file: str) -> str:
    """Write ``{'state_dict', 'meta'}`` of ``in_file`` to ``out_file``.

    Args:
        in_file (str): An mmengine training checkpoint (or a bare state dict).
        out_file (str): Output path; parent folders are created.

    Returns:
        str: sha256 of the written file.
    """
    ckpt = load_run_checkpoint(in_file)
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(f'{in_file}: no state dict of tensors found')
    old_meta = ckpt.get('meta') or {}
    meta = {k: old_meta[k] for k in META_KEYS if k in old_meta}
    meta['published_by'] = f'nas_backbones {__version__} tools/publish_model.py'
    out = Path(out_file)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({'state_dict': {k: v.detach().cpu() for k, v in state.items()}, 'meta': meta}, out)
    # The point of the file: it must load without allowlisting anything.
    torch.load(out, map_location='cpu', weights_only=True)
    return hashlib.sha256(out.read_bytes()).hexdigest()


def main(argv=None):
    args = parse_args(argv)
    try:
        sha = publish(args.in_file, args.out_file)
    except (ValueError, OSError, pickle.UnpicklingError) as e:
        sys.exit(f'error: {e}')
    print(f'{args.out_file} (weights only, sha256 {sha[:8]})')


if __name__ == '__main__':
    main()
