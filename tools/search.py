"""Evolutionary search of a trained AttentiveNAS supernet under a FLOPs budget.

    python tools/search.py CONFIG --checkpoint CKPT [--work-dir DIR] [--cfg-options k=v ...]

The config's ``search_cfg`` (an ``EvolutionSearchLoop``) holds the budget,
the evolution settings and the data; the supernet weights come from
``--checkpoint``. Writes best_arch.yml, pareto.{json,csv,png}, evaluated.csv
and search_state.json (an interrupted search resumes) into the work dir.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from nas_backbones.engine import load_weights
from nas_backbones.registry import LOOPS

# Parts of a training config a search does not run (the Runner wants the
# train triple all set or all unset).
UNUSED = ('train_dataloader', 'train_cfg', 'optim_wrapper', 'param_scheduler', 'val_dataloader',
          'val_cfg', 'val_evaluator', 'test_dataloader', 'test_cfg', 'test_evaluator',
          'auto_scale_lr')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Evolutionary search of an AttentiveNAS supernet')
    p.add_argument('config', help='search config (with search_cfg)')
    p.add_argument('--checkpoint', required=True, help='trained supernet checkpoint')
    p.add_argument('--work-dir', help='output folder (default ./work_dirs/<config name>)')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config entries, e.g. search_cfg.max_mflops=300')
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    p.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = p.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def build_runner(cfg: Config, checkpoint: str) -> Runner:
    """A runner that only holds the model, the search loop's logger, work dir
    and data; the weights come from ``checkpoint`` through the engine's one
    model loader (``nas_backbones.engine.load_weights``: weights-only,
    strict)."""
    for key in UNUSED:
        cfg[key] = None
    cfg.load_from, cfg.resume = None, False
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    load_weights(runner.model, checkpoint)
    return runner


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if cfg.get('search_cfg') is None:
        raise SystemExit(f'error: {args.config} has no search_cfg (see configs/attentivenas/search_*.py)')
    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'error: checkpoint not found: {args.checkpoint}')
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        './work_dirs', osp.splitext(osp.basename(args.config))[0])
    search_cfg = cfg.search_cfg
    runner = build_runner(cfg, args.checkpoint)
    loop = LOOPS.build(search_cfg, default_args=dict(runner=runner))
    return loop.run()


if __name__ == '__main__':
    main()
