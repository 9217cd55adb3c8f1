"""Golden fixtures of single AttentiveNAS blocks, computed by the authors' code.

    mkdir -p /tmp/orig/attentivenas && git --git-dir=<mirror of facebookresearch/AttentiveNAS> \
        archive HEAD | tar -x -C /tmp/orig/attentivenas
    python tools/golden/make_attentivenas_block_fixtures.py --orig /tmp/orig/attentivenas \
        --orig-commit c4c16f174dd1acfdeecd93cef1acd5afd92eb317 \
        --out tests/test_ops/data/attentivenas_blocks.pt

Runs the authors' ``MobileInvertedResidualBlock`` (static layers, eval mode)
and ``DynamicMBConvLayer`` + ``DynamicShortcutLayer`` (train mode: their
DynamicBatchNorm2d only runs in training) on random inputs and writes the
inputs, outputs and weights (renamed to nas_backbones' block keys) to a
weights-only ``.pt``. The cases pin two rules (tests/test_ops/
test_attentivenas_golden_blocks.py):

* strided shortcuts at odd sizes pool with ``avg_pool2d(x, 2, padding=1)``:
  3, 13 and 15 are the inputs of the first mb6 block at 48, 208 and 240 px,
  12 an even control;
* ratio 1 in a stage that also offers larger ratios runs the 1x1 expansion
  with ``make_divisible(cin, 8)`` channels (cin 12 -> 16 shows the rounding).

The authors' code is only imported from ``--orig`` (never copied here).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
import torch.nn as nn

SIZES = (3, 13, 15, 12)

# Authors' key -> ours, by prefix (longest first); bn_tracking has no counterpart.
STATIC_KEYS = [
    ('mobile_inverted_conv.inverted_bottleneck.conv.', 'expand.conv.'),
    ('mobile_inverted_conv.inverted_bottleneck.bn.', 'expand.bn.'),
    ('mobile_inverted_conv.depth_conv.conv.', 'dw.conv.'),
    ('mobile_inverted_conv.depth_conv.bn.', 'dw.bn.'),
    ('mobile_inverted_conv.depth_conv.se.fc.reduce.', 'se.reduce.'),
    ('mobile_inverted_conv.depth_conv.se.fc.expand.', 'se.expand.'),
    ('mobile_inverted_conv.point_linear.conv.', 'project.conv.'),
    ('mobile_inverted_conv.point_linear.bn.', 'project.bn.'),
    ('shortcut.conv.', 'shortcut.conv.'),
]
DYNAMIC_KEYS = [
    ('mobile_inverted_conv.inverted_bottleneck.conv.conv.', 'expand.conv.conv.'),
    ('mobile_inverted_conv.inverted_bottleneck.bn.bn.', 'expand.bn.bn.'),
    ('mobile_inverted_conv.depth_conv.conv.conv.', 'dw.conv.conv.'),
    ('mobile_inverted_conv.depth_conv.bn.bn.', 'dw.bn.bn.'),
    ('mobile_inverted_conv.depth_conv.se.fc.reduce.', 'se.reduce.conv.'),
    ('mobile_inverted_conv.depth_conv.se.fc.expand.', 'se.expand.conv.'),
    ('mobile_inverted_conv.point_linear.conv.conv.', 'project.conv.conv.'),
    ('mobile_inverted_conv.point_linear.bn.bn.', 'project.bn.bn.'),
    ('shortcut.conv.conv.', 'shortcut_conv.conv.'),
]


def rename(state: dict, table) -> dict:
    out = {}
    for key, value in state.items():
        if '.bn_tracking.' in key:
            continue
        for src, dst in table:
            if key.startswith(src):
                out[dst + key[len(src):]] = value.detach().clone()
                break
        else:
            raise KeyError(f'no mapping for {key}')
    return out


def randomise(block: nn.Module, seed: int) -> None:
    """BN affine parameters and statistics away from 1/0 (convs keep their init)."""
    g = torch.Generator().manual_seed(seed)
    for m in block.modules():
        if isinstance(m, nn.BatchNorm2d) and m.affine:
            with torch.no_grad():
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.2)
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.2)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)


def run(block: nn.Module, cin: int, sizes, batch: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    inputs, outputs = {}, {}
    for s in sizes:
        x = torch.randn(batch, cin, s, s, generator=g)
        with torch.no_grad():
            outputs[s] = block(x.clone()).detach().clone()
        inputs[s] = x
    return inputs, outputs


def static_case(L, seed: int) -> dict:
    """Authors' static block, eval mode: the first mb6 block's layout, small widths."""
    torch.manual_seed(seed)
    cfg = dict(in_channels=8, out_channels=16, kernel_size=3, stride=2, mid_channels=32,
               se_hidden=L.utils.make_divisible(32 // 4, divisor=8))
    conv = L.static.MBInvertedConvLayer(8, 16, 3, 2, expand_ratio=4, mid_channels=32,
                                        act_func='swish', use_se=True)
    block = L.static.MobileInvertedResidualBlock(conv, L.static.ShortcutLayer(8, 16, 2))
    randomise(block, seed)
    block.eval()
    inputs, outputs = run(block, 8, SIZES, 2, seed)
    return dict(config=cfg, state_dict=rename(block.state_dict(), STATIC_KEYS),
                inputs=inputs, outputs=outputs)


def dynamic_case(L, seed: int, cin: int, couts, ks, ts, stride: int, se: bool,
                 active: dict, sizes) -> dict:
    """Authors' dynamic block (train mode, BN momentum 0 as in their supernet)."""
    torch.manual_seed(seed)
    conv = L.dynamic.DynamicMBConvLayer([cin], couts, ks, ts, stride=stride, act_func='swish',
                                        use_se=se)
    short = L.dynamic.DynamicShortcutLayer([cin], couts, reduction=stride)
    block = L.static.MobileInvertedResidualBlock(conv, short)
    for m in block.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = 0.0
    randomise(block, seed)
    conv.active_kernel_size, conv.active_expand_ratio = active['kernel_size'], active['expand']
    conv.active_out_channel = short.active_out_channel = active['out_channels']
    block.train()
    inputs, outputs = run(block, cin, sizes, 2, seed)
    mid = (conv.inverted_bottleneck.conv.active_out_channel
           if conv.inverted_bottleneck is not None else cin)
    se_hidden = 0
    if se:
        se_hidden = L.utils.make_divisible(mid // conv.depth_conv.se.reduction, divisor=8)
    max_mid = conv.depth_conv.conv.max_in_channels
    cfg = dict(max_in_channels=cin, max_out_channels=max(couts), max_mid_channels=max_mid,
               max_kernel_size=max(ks), stride=stride,
               has_expansion=conv.inverted_bottleneck is not None,
               max_se_hidden=(conv.depth_conv.se.fc.reduce.out_channels if se else 0),
               needs_shortcut_conv=True, stage_expands=list(ts), in_channels=cin,
               out_channels=active['out_channels'], mid_channels=mid,
               kernel_size=active['kernel_size'], expand=active['expand'], se_hidden=se_hidden)
    return dict(config=cfg, state_dict=rename(block.state_dict(), DYNAMIC_KEYS),
                inputs=inputs, outputs=outputs)


class _Layers:
    def __init__(self, orig: Path):
        sys.path.insert(0, str(orig))
        from models.modules import dynamic_layers, nn_utils, static_layers
        self.static, self.dynamic, self.utils = static_layers, dynamic_layers, nn_utils


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--orig', type=Path, required=True,
                   help='exported facebookresearch/AttentiveNAS tree (git archive)')
    p.add_argument('--orig-commit', required=True, help='its commit, recorded in the fixture')
    p.add_argument('--out', type=Path, required=True)
    args = p.parse_args(argv)
    L = _Layers(args.orig.resolve())
    cases = {
        'static_pool': static_case(L, 0),
        'dynamic_pool': dynamic_case(L, 1, 8, [8, 16], [3, 5], [4, 6], 2, True,
                                     dict(kernel_size=3, expand=4, out_channels=16), SIZES),
        'dynamic_expand1': dynamic_case(L, 2, 8, [8, 16], [3, 5], [1, 4], 2, False,
                                        dict(kernel_size=3, expand=1, out_channels=16), SIZES),
        'dynamic_expand1_c12': dynamic_case(L, 3, 12, [16], [3], [1, 4], 1, False,
                                            dict(kernel_size=3, expand=1, out_channels=16), (13,)),
    }
    meta = dict(source='facebookresearch/AttentiveNAS', commit=args.orig_commit,
                torch=str(torch.__version__), generator='tools/golden/make_attentivenas_block_fixtures.py')
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(dict(meta=meta, cases=cases), args.out)
    for name, c in cases.items():
        print(name, c['config'])
    print(f'wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)')


if __name__ == '__main__':
    main()
