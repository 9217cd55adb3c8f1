"""Export a searched subnet: an arch file + a weights-only checkpoint that
SearchedMobileNet (mmpretrain / mmdet backbones) loads.

    python tools/export.py CONFIG --checkpoint CKPT --out DIR [--arch ARCH] [--name NAME]
        [--calib-batches N] [--cfg-options k=v ...]

Dispatches on the config's ``model.type``; each NAS algorithm adds one
function to ``EXPORTERS``. AttentiveNAS: ``--arch`` is an arch file (e.g. the
search's best_arch.yml), 'max' or 'min' (default: the config's eval_arch);
the subnet's BN is recalibrated on ``--calib-batches`` training batches first
(the supernet trains with BN momentum 0).
"""
import argparse
import os
import os.path as osp
from pathlib import Path

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

UNUSED = ('train_cfg', 'optim_wrapper', 'param_scheduler', 'val_dataloader', 'val_cfg',
          'val_evaluator', 'test_dataloader', 'test_cfg', 'test_evaluator', 'auto_scale_lr')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Export a searched subnet (arch + weights)')
    p.add_argument('config', help='the training config of the checkpoint')
    p.add_argument('--checkpoint', required=True, help='trained supernet / search checkpoint')
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument('--arch', help="AttentiveNAS: arch file, 'max' or 'min' (default: eval_arch)")
    p.add_argument('--name', help='file stem of the outputs')
    p.add_argument('--calib-batches', type=int, default=64,
                   help='AttentiveNAS: BN recalibration batches (0 = skip)')
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    return p.parse_args(argv)


def build_model_runner(cfg: Config, checkpoint: str) -> Runner:
    """A runner holding the config's model with ``checkpoint`` loaded."""
    train_loader = cfg.get('train_dataloader')
    for key in UNUSED + ('train_dataloader',):
        cfg[key] = None
    cfg.load_from, cfg.resume, cfg.launcher = checkpoint, False, 'none'
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    runner.load_or_resume()
    runner.export_train_loader_cfg = train_loader
    return runner


def export_attentivenas(cfg: Config, args) -> dict:
    from nas_backbones.arch import load_arch
    from nas_backbones.export import export_from_model

    runner = build_model_runner(cfg, args.checkpoint)
    model = runner.model
    arch = args.arch
    if arch in ('max', 'min'):
        arch = model.max_arch if arch == 'max' else model.min_arch
    elif arch is not None:
        arch = load_arch(arch)
    batches = None
    if args.calib_batches > 0:
        if runner.export_train_loader_cfg is None:
            raise SystemExit('error: the config has no train_dataloader for BN recalibration '
                             '(or pass --calib-batches 0)')
        batches = runner.build_dataloader(runner.export_train_loader_cfg, seed=runner.seed)
    arch_path, ckpt_path = export_from_model(model, arch, args.out, batches, args.calib_batches,
                                             args.name)
    cfg_path = write_finetune_config(arch_path, ckpt_path)
    from nas_backbones.arch import load_arch as _load
    from nas_backbones.estimators import count_cost
    exported = _load(arch_path)
    # FLOPs/params as the search and the published figures count them: 1000 classes.
    cost = count_cost(exported.replace(num_classes=1000), space=model.space)
    print(f'[nas_backbones] exported {exported.name}: {cost.mflops:.2f} MFLOPs, '
          f'{cost.mparams:.3f} M params at {exported.resolution}px (1000 classes) | '
          f'arch: {arch_path} | '
          f'weights: {ckpt_path} | finetune config: {cfg_path}', flush=True)
    return {'arch': arch_path, 'weights': ckpt_path, 'config': cfg_path}


def write_finetune_config(arch_path: Path, ckpt_path: Path) -> Path:
    """A ready config that fine-tunes the exported net (ImageClassifier +
    SearchedMobileNet + NASClsHead) from its weights."""
    from nas_backbones.arch import classifier_channels, load_arch
    arch = load_arch(arch_path)
    in_channels, mid_channels, num_classes = classifier_channels(arch)
    path = arch_path.with_name(f'{arch_path.stem}_finetune.py')
    base = osp.relpath(Path(__file__).resolve().parents[1] / 'configs' / 'attentivenas' /
                       '_base_' / 'finetune_exported.py', path.parent)
    path.write_text(
        f"# Fine-tune the exported subnet {arch.name} (written by tools/export.py).\n"
        f"_base_ = ['{base}']\n"
        f"model = dict(\n"
        f"    backbone=dict(arch='{arch_path.resolve()}',\n"
        f"                  init_cfg=dict(type='Pretrained', checkpoint='{ckpt_path.resolve()}',\n"
        f"                                prefix='backbone.')),\n"
        f"    head=dict(num_classes={num_classes}, in_channels={in_channels}, "
        f"mid_channels={mid_channels},\n"
        f"              init_cfg=dict(type='Pretrained', checkpoint='{ckpt_path.resolve()}',\n"
        f"                            prefix='head.')))\n")
    return path


def export_atomnas(cfg: Config, args) -> dict:
    """The search run's shrunk net as it stands in the checkpoint, EMA weights
    when the run kept an EMA (nas_backbones/export/atomnas_export.py). Its BN
    statistics are the run's (recalibrated after every shrink), so
    ``--calib-batches`` is not used; ``--arch`` is refused (the run's live
    atoms are the arch)."""
    from nas_backbones.arch import load_arch
    from nas_backbones.estimators import count_cost
    from nas_backbones.export import export_atomnas_checkpoint
    if args.arch is not None:
        raise SystemExit('error: --arch: an AtomNAS run exports its own shrunk arch')
    arch_path, ckpt_path = export_atomnas_checkpoint(cfg, args.checkpoint, args.out, args.name)
    arch = load_arch(arch_path)
    cost = count_cost(arch)  # as count_flops.py prints it: the arch's own input size/classes
    print(f'[nas_backbones] exported AtomNAS net {arch.name}: {cost.mflops:.2f} MFLOPs, '
          f'{cost.mparams:.3f} M params, {arch.num_atoms} atoms ({arch.resolution}x'
          f'{arch.resolution} input, {arch.num_classes} classes) | arch: {arch_path} | '
          f'weights: {ckpt_path}', flush=True)
    return {'arch': arch_path, 'weights': ckpt_path}


# model.type -> exporter(cfg, args): one entry per NAS algorithm.
EXPORTERS = {'AttentiveNAS': export_attentivenas, 'AtomNAS': export_atomnas}


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'error: checkpoint not found: {args.checkpoint}')
    cfg.work_dir = cfg.get('work_dir') or osp.join(args.out, 'export_logs')
    kind = str(cfg.model.get('type', '')).split('.')[-1]
    if kind not in EXPORTERS:
        raise SystemExit(f'error: no exporter for model.type {kind!r}; known: {sorted(EXPORTERS)}')
    return EXPORTERS[kind](cfg, args)


if __name__ == '__main__':
    os.environ.setdefault('LOCAL_RANK', '0')
    main()
