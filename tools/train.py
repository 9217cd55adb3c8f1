"""Train a model from a config (mmpretrain's tools/train.py flags).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--auto-scale-lr] [--cfg-options k=v ...] [--launcher none|pytorch|slurm|mpi]

Multi-GPU: ``torchrun --nproc_per_node 8 tools/train.py CONFIG --launcher pytorch``.
After training it prints one line: top-1, FLOPs of the arch, checkpoint path.
"""
import argparse
import os
import os.path as osp
import sys
from copy import deepcopy

# Before torch loads OpenMP: spinning OpenMP threads make CPU runs 10-100x
# slower when the cores are shared with other jobs; waiting passively costs
# little when they are not. An explicit OMP_WAIT_POLICY wins.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import torch  # noqa: E402
from mmengine.config import Config, ConfigDict, DictAction  # noqa: E402
from mmengine.registry import RUNNERS  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from nas_backbones.engine.dist import init_cpu_process_group  # noqa: E402
from nas_backbones.engine import DataRootNotFoundError, check_data_roots, train_summary  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from this checkpoint; without a path, from the latest '
        'checkpoint in the work dir')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument('--no-validate', action='store_true',
                        help='do not evaluate during training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr linearly with the actual total batch size '
                        '(from the config\'s auto_scale_lr.base_batch_size)')
    parser.add_argument('--no-pin-memory', action='store_true',
                        help='disable pin_memory in the dataloaders')
    parser.add_argument('--no-persistent-workers', action='store_true',
                        help='disable persistent_workers in the dataloaders')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, key=value (lists as key="[a,b]"), e.g. '
        'train_cfg.max_epochs=2')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    # torch.distributed.launch passes --local-rank (torch >= 2) or --local_rank.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg: Config, args) -> Config:
    """Apply the CLI flags to ``cfg`` (as mmpretrain's tools/train.py)."""
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.launcher = args.launcher
    # work_dir: CLI > config > ./work_dirs/<config name>
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True

    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key) is None:
            continue
        # pin_memory only helps (and only works without a warning) with a GPU.
        loader = ConfigDict(pin_memory=torch.cuda.is_available(),
                            collate_fn=dict(type='default_collate'))
        # torch refuses persistent_workers without workers (the CPU demo has none).
        loader.persistent_workers = cfg[key].get('num_workers', 0) > 0
        loader.update(deepcopy(cfg[key]))
        if args.no_pin_memory:
            loader.pin_memory = False
        if args.no_persistent_workers:
            loader.persistent_workers = False
        cfg[key] = loader

    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    try:
        check_data_roots(cfg, ('train_dataloader', 'val_dataloader'))
    except DataRootNotFoundError as e:
        sys.exit(f'error: {e}')

    init_cpu_process_group(args.launcher)  # torchrun on a CPU machine: gloo
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    runner.train()
    print(train_summary(runner), flush=True)


if __name__ == '__main__':
    main()
