"""Export a searched subnet: an arch file + a weights-only checkpoint that
SearchedMobileNet (mmpretrain / mmdet backbones) loads.

    python tools/export.py CONFIG --checkpoint CKPT --out DIR [--arch ARCH] [--name NAME]
        [--calib-batches N] [--configs DIR] [--cfg-options k=v ...]

Dispatches on the config's ``model.type``; each NAS algorithm adds one
function to ``EXPORTERS``. AttentiveNAS: ``--arch`` is an arch file (e.g. the
search's best_arch.yml), 'max' or 'min' (default: the config's eval_arch);
the subnet's BN is recalibrated on ``--calib-batches`` training batches first
(the supernet trains with BN momentum 0), and a fine-tune config is written
next to it that builds on ``--configs``/attentivenas/_base_/finetune_exported.py
(default ``configs`` under the working directory). The model comes from
``nas_backbones.engine.load_model`` (config + checkpoint, weights-only,
strict); the files from ``nas_backbones.export``.
"""
import argparse
import os
import os.path as osp
from pathlib import Path

from mmengine.config import Config, DictAction
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from nas_backbones.arch import classifier_channels, load_arch
from nas_backbones.engine import build_model, load_model, load_weights
from nas_backbones.estimators import count_cost
from nas_backbones.export import export_atomnas, export_from_model


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Export a searched subnet (arch + weights)')
    p.add_argument('config', help='the training config of the checkpoint')
    p.add_argument('--checkpoint', required=True, help='trained supernet / search checkpoint')
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument('--arch', help="AttentiveNAS: arch file, 'max' or 'min' (default: eval_arch)")
    p.add_argument('--name', help='file stem of the outputs')
    p.add_argument('--calib-batches', type=int, default=64,
                   help='AttentiveNAS: BN recalibration batches (0 = skip)')
    p.add_argument('--configs', default='configs',
                   help="AttentiveNAS: the checkout's configs folder the fine-tune config "
                        "builds on (default: ./configs)")
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    return p.parse_args(argv)


def calibration_batches(cfg: Config):
    """The config's training loader, for BN recalibration (seeded as a run
    of the config would be: ``randomness.seed``, else 0)."""
    if cfg.get('train_dataloader') is None:
        raise SystemExit('error: the config has no train_dataloader for BN recalibration '
                         '(or pass --calib-batches 0)')
    seed = (cfg.get('randomness') or {}).get('seed')
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope') or 'nas_backbones'):
        return Runner.build_dataloader(cfg.train_dataloader, seed=0 if seed is None else seed)


def export_attentivenas(cfg: Config, args) -> dict:
    model = load_model(cfg, args.checkpoint)
    arch = args.arch
    if arch in ('max', 'min'):
        arch = model.max_arch if arch == 'max' else model.min_arch
    elif arch is not None:
        arch = load_arch(arch)
    batches = calibration_batches(cfg) if args.calib_batches > 0 else None
    arch_path, ckpt_path = export_from_model(model, arch, args.out, batches, args.calib_batches,
                                             args.name)
    cfg_path = write_finetune_config(arch_path, ckpt_path, args.configs)
    exported = load_arch(arch_path)
    # FLOPs/params as the search and the published figures count them: 1000 classes.
    cost = count_cost(exported.replace(num_classes=1000), space=model.space)
    print(f'[nas_backbones] exported {exported.name}: {cost.mflops:.2f} MFLOPs, '
          f'{cost.mparams:.3f} M params at {exported.resolution}px (1000 classes) | '
          f'arch: {arch_path} | '
          f'weights: {ckpt_path} | finetune config: {cfg_path}', flush=True)
    return {'arch': arch_path, 'weights': ckpt_path, 'config': cfg_path}


def write_finetune_config(arch_path: Path, ckpt_path: Path, configs_dir: str = 'configs') -> Path:
    """A ready config that fine-tunes the exported net (ImageClassifier +
    SearchedMobileNet + NASClsHead) from its weights, on top of
    ``configs_dir``/attentivenas/_base_/finetune_exported.py."""
    arch = load_arch(arch_path)
    in_channels, mid_channels, num_classes = classifier_channels(arch)
    path = arch_path.with_name(f'{arch_path.stem}_finetune.py')
    base_file = Path(configs_dir).resolve() / 'attentivenas' / '_base_' / 'finetune_exported.py'
    if not base_file.is_file():
        raise SystemExit(f'error: --configs: {base_file} not found; pass the configs folder of a '
                         f'nas_backbones checkout')
    base = osp.relpath(base_file, path.parent)
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


def export_atomnas_run(cfg: Config, args) -> dict:
    """The search run's shrunk net as it stands in the checkpoint, EMA weights
    when the run kept an EMA (nas_backbones/export/atomnas_export.py). Its BN
    statistics are the run's (recalibrated after every shrink), so
    ``--calib-batches`` is not used; ``--arch`` is refused (the run's live
    atoms are the arch)."""
    if args.arch is not None:
        raise SystemExit('error: --arch: an AtomNAS run exports its own shrunk arch')
    model = build_model(cfg)
    meta = load_weights(model, args.checkpoint)
    arch_path, ckpt_path = export_atomnas(model.supernet, args.out,
                                          args.name or Path(args.checkpoint).stem, meta)
    arch = load_arch(arch_path)
    cost = count_cost(arch)  # as count_flops.py prints it: the arch's own input size/classes
    print(f'[nas_backbones] exported AtomNAS net {arch.name}: {cost.mflops:.2f} MFLOPs, '
          f'{cost.mparams:.3f} M params, {arch.num_atoms} atoms ({arch.resolution}x'
          f'{arch.resolution} input, {arch.num_classes} classes) | arch: {arch_path} | '
          f'weights: {ckpt_path}', flush=True)
    return {'arch': arch_path, 'weights': ckpt_path}


# model.type -> exporter(cfg, args): one entry per NAS algorithm.
EXPORTERS = {'AttentiveNAS': export_attentivenas, 'AtomNAS': export_atomnas_run}


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'error: checkpoint not found: {args.checkpoint}')
    kind = str(cfg.model.get('type', '')).split('.')[-1]
    if kind not in EXPORTERS:
        raise SystemExit(f'error: no exporter for model.type {kind!r}; known: {sorted(EXPORTERS)}')
    return EXPORTERS[kind](cfg, args)


if __name__ == '__main__':
    os.environ.setdefault('LOCAL_RANK', '0')
    main()
