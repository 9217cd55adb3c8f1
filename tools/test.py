"""Evaluate a checkpoint with a config (mmpretrain's tools/test.py flags).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
        [--out-item metrics|pred] [--cfg-options k=v ...] [--launcher ...]

CHECKPOINT may be a training checkpoint of this project's runs or a
published (weights-only) file. Prints one line with the top-1 at the end.
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

import mmengine  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config, ConfigDict, DictAction  # noqa: E402
from mmengine.evaluator import DumpResults  # noqa: E402
from mmengine.registry import RUNNERS  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from nas_backbones.engine.dist import init_cpu_process_group  # noqa: E402
from nas_backbones.engine import DataRootNotFoundError, check_data_roots  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Evaluate a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs and the evaluation results')
    parser.add_argument('--out', help='file to dump the metrics or predictions to (.pkl/.json)')
    parser.add_argument('--out-item', choices=['metrics', 'pred'], default='metrics',
                        help="what --out holds: the metrics (default) or every prediction")
    parser.add_argument('--no-pin-memory', action='store_true',
                        help='disable pin_memory in the dataloader')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, key=value (lists as key="[a,b]")')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg: Config, args) -> Config:
    """Apply the CLI flags to ``cfg`` (as mmpretrain's tools/test.py)."""
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    loader = ConfigDict(pin_memory=torch.cuda.is_available() and not args.no_pin_memory,
                        collate_fn=dict(type='default_collate'))
    loader.persistent_workers = cfg.test_dataloader.get('num_workers', 0) > 0
    loader.update(deepcopy(cfg.test_dataloader))
    cfg.test_dataloader = loader
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        sys.exit(f'error: checkpoint not found: {args.checkpoint}')
    cfg = merge_args(Config.fromfile(args.config), args)
    try:
        check_data_roots(cfg, ('test_dataloader',))
    except DataRootNotFoundError as e:
        sys.exit(f'error: {e}')

    init_cpu_process_group(args.launcher)  # torchrun on a CPU machine: gloo
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    if args.out and args.out_item == 'pred':
        runner.test_evaluator.metrics.append(DumpResults(out_file_path=args.out))
    metrics = runner.test()
    if args.out and args.out_item == 'metrics':
        mmengine.dump(metrics, args.out)
    top1 = metrics.get('accuracy/top1')
    acc = 'top-1 n/a' if top1 is None else f'top-1 {top1:.2f} %'
    print(f'[nas_backbones] test {acc} | checkpoint: {args.checkpoint}', flush=True)


if __name__ == '__main__':
    main()
