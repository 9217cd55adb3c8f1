"""Export a searched net to ONNX and verify it with onnxruntime.

    python tools/deployment/pytorch2onnx.py CONFIG|ARCH CHECKPOINT --out net.onnx
        [--shape H [W]] [--dynamic-batch] [--backbone-only [--out-indices 1 2 4 7]]
        [--opset 20] [--atol 1e-4]

CONFIG is a classifier or detector config whose ``model.backbone`` is a
``SearchedMobileNet`` (the published A/B/C(+) and A0-A6 configs, an exported
net's finetune config, mask_rcnn configs); ARCH is a zoo name or an arch file
(e.g. the ``.yml`` of ``tools/export.py``). CHECKPOINT holds weights-only
state dicts (``tools/export.py`` / ``tools/publish_model.py`` write them);
``--random-init`` instead exports freshly initialised weights (for latency
trials). The whole classifier gives logits (input: the normalised image; the
config's mean/std stay outside the graph, as in mmdeploy);
``--backbone-only`` gives the feature maps at ``--out-indices`` (default:
the config's, else the head conv), outputs ``feat{i}``, for detection
users. The tool runs onnxruntime on random inputs (batch 1, and 2 with
``--dynamic-batch``) and fails unless every output is within ``--atol`` x
max(1, the output's largest magnitude) of PyTorch (absolute for logits,
relative for large feature maps). Exporter: torch's TorchScript-based one (no onnxscript needed).
"""
from __future__ import annotations

import argparse
from pathlib import Path


import torch

from nas_backbones.arch import load_arch
from nas_backbones.ops import build_static_classifier, build_static_net
from nas_backbones.ops.onnx_export import (DEFAULT_OPSET, FeatureTaps, check_onnx,
                                           export_onnx)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog='\n'.join(__doc__.splitlines()[1:]))
    p.add_argument('model', metavar='CONFIG|ARCH', help='config .py, zoo name or arch file')
    p.add_argument('checkpoint', nargs='?', help='weights-only checkpoint (.pth)')
    p.add_argument('--out', required=True, help='output .onnx')
    p.add_argument('--random-init', action='store_true',
                   help='no checkpoint: export freshly initialised weights')
    p.add_argument('--shape', type=int, nargs='+', help='input H [W] (default: the arch resolution)')
    p.add_argument('--dynamic-batch', action='store_true', help='symbolic batch dimension')
    p.add_argument('--backbone-only', action='store_true', help='feature maps, not logits')
    p.add_argument('--out-indices', type=int, nargs='+', help='--backbone-only taps')
    p.add_argument('--opset', type=int, default=DEFAULT_OPSET)
    p.add_argument('--atol', type=float, default=1e-4,
                   help='max difference to PyTorch, x max(1, largest output magnitude)')
    args = p.parse_args(argv)
    if (args.checkpoint is None) == (not args.random_init):
        p.error('give a CHECKPOINT or --random-init (exactly one)')
    if args.shape is not None and len(args.shape) not in (1, 2):
        p.error('--shape: H or H W')
    if args.out_indices and not args.backbone_only:
        p.error('--out-indices: only with --backbone-only')
    return args


def resolve(model: str):
    """(arch, num_classes, config out_indices or None) of a config or an arch."""
    if model.endswith('.py'):
        from mmengine.config import Config

        from nas_backbones.engine import arch_of_config
        cfg = Config.fromfile(model)
        mtype = str(cfg.model.get('type', ''))
        if 'backbone' not in cfg.model:
            raise SystemExit(f'error: {model}: model.type {mtype!r} has no SearchedMobileNet '
                             f'backbone (a search/supernet config?); export the searched net '
                             f'first with tools/export.py and pass its arch file and weights')
        arch = arch_of_config(cfg)
        head = cfg.model.get('head') or {}
        classes = head.get('num_classes', arch.num_classes) if isinstance(head, dict) else \
            arch.num_classes
        return arch, classes, cfg.model.backbone.get('out_indices')
    arch = load_arch(model)
    return arch, arch.num_classes, None


def load_deploy_model(model: str, checkpoint: str | None, backbone_only: bool = False,
                      out_indices=None):
    """(eval-mode module to export, arch): the classifier, or FeatureTaps
    over the backbone, with the checkpoint's weights (weights-only load,
    mismatched keys fail naming them)."""
    arch, classes, cfg_indices = resolve(model)
    arch = arch.replace(num_classes=classes)
    if backbone_only:
        net = build_static_net(arch)
        indices = out_indices or cfg_indices or (len(net.stages),)
        module = FeatureTaps(net, tuple(indices))
        target, prefix = net, 'backbone.'
    else:
        module = build_static_classifier(arch)
        target, prefix = module, ''
    if checkpoint is not None:
        from nas_backbones.backbones.pretrained import load_pretrained
        load_pretrained(target, checkpoint, prefix=prefix)
    return module.eval(), arch


def main(argv=None) -> dict:
    args = parse_args(argv)
    try:
        module, arch = load_deploy_model(args.model, args.checkpoint, args.backbone_only,
                                         args.out_indices)
    except (ValueError, FileNotFoundError) as e:
        raise SystemExit(f'error: {e}') from None
    h = args.shape[0] if args.shape else arch.resolution
    w = args.shape[-1] if args.shape else arch.resolution
    gen = torch.Generator().manual_seed(0)
    example = torch.randn(1, 3, h, w, generator=gen)
    export_onnx(module, example, args.out, dynamic_batch=args.dynamic_batch, opset=args.opset)
    inputs = [torch.randn(1, 3, h, w, generator=gen)]
    if args.dynamic_batch:
        inputs.append(torch.randn(2, 3, h, w, generator=gen))
    try:
        diff = check_onnx(args.out, module, inputs, args.atol)
    except ValueError as e:
        raise SystemExit(f'error: {args.out}: {e}') from None
    with torch.no_grad():
        out = module(inputs[0])
    shapes = [tuple(o.shape) for o in (out if isinstance(out, tuple) else (out,))]
    print(f'[nas_backbones] onnx: {args.out} ({arch.name or Path(args.model).stem}, opset '
          f'{args.opset}, input 1x3x{h}x{w}{" dynamic batch" if args.dynamic_batch else ""}, '
          f'outputs {shapes}); onnxruntime max difference {diff:.2e} <= {args.atol:g} '
          f'(x max(1, |output|))',
          flush=True)
    return {'out': args.out, 'max_diff': diff, 'output_shapes': shapes}


if __name__ == '__main__':
    main()
