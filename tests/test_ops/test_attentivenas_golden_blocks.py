"""Our AttentiveNAS blocks against the authors' blocks (golden fixtures).

tests/test_ops/data/attentivenas_blocks.pt holds inputs, outputs and weights
of the authors' blocks (facebookresearch/AttentiveNAS @ c4c16f1), written by
tools/golden/make_attentivenas_block_fixtures.py. The sizes 3, 13 and 15 are
the inputs of the first mb6 block at 48, 208 and 240 px; 12 is even.
"""
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from nas_backbones.arch import attentive_block_expansion
from nas_backbones.ops.dynamic_mbconv import BlockChoice, DynamicMBConv
from nas_backbones.ops.mbconv import MBConv

FIXTURE = Path(__file__).with_name('data') / 'attentivenas_blocks.pt'
CASES = torch.load(FIXTURE, weights_only=True)['cases']


def _dynamic(case):
    c = case['config']
    block = DynamicMBConv(c['max_in_channels'], c['max_out_channels'], c['max_mid_channels'],
                          c['max_kernel_size'], c['stride'], c['has_expansion'],
                          c['max_se_hidden'], c['needs_shortcut_conv'], bn_momentum=0.0)
    block.load_state_dict(case['state_dict'])
    choice = BlockChoice(c['in_channels'], c['out_channels'], c['mid_channels'],
                         c['kernel_size'], c['has_expansion'], c['se_hidden'], identity=False)
    return block.train(), choice


@pytest.mark.parametrize('size', [3, 13, 15, 12])
def test_static_block_odd_strided_shortcut_matches_authors(size):
    """Eval-mode MBConv == the authors' MobileInvertedResidualBlock, whose
    ShortcutLayer pools with ``avg_pool2d(x, 2, padding=0 if even else 1)``
    (models/modules/static_layers.py lines 211-213); ceil_mode pooling gave
    the same shape with other windows."""
    case = CASES['static_pool']
    c = case['config']
    block = MBConv(c['in_channels'], c['out_channels'], c['mid_channels'], c['kernel_size'],
                   c['stride'], has_expansion=True, se_hidden=c['se_hidden'])
    block.load_state_dict(case['state_dict'])
    with torch.no_grad():
        out = block.eval()(case['inputs'][size])
    assert_close(out, case['outputs'][size], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('size', [3, 13, 15, 12])
def test_dynamic_block_odd_strided_shortcut_matches_authors(size):
    """Train-mode DynamicMBConv (a t=4 choice of max 6, k=3 of max 5, SE) ==
    the authors' DynamicMBConvLayer + DynamicShortcutLayer, which pools with
    ``avg_pool2d(x, 2, padding=1 if odd)`` (models/modules/dynamic_layers.py
    lines 350-352)."""
    case = CASES['dynamic_pool']
    block, choice = _dynamic(case)
    with torch.no_grad():
        out = block(case['inputs'][size], choice)
    assert_close(out, case['outputs'][size], atol=1e-5, rtol=1e-5)


def test_odd_pooling_differs_from_ceil_mode():
    # The fixture really separates the rules: ceil_mode windows give other values.
    x = CASES['static_pool']['inputs'][13]
    ours = F.avg_pool2d(x, 2, padding=1)
    ceil = F.avg_pool2d(x, 2, 2, ceil_mode=True)
    assert ours.shape == ceil.shape and not torch.allclose(ours, ceil)


@pytest.mark.parametrize('name,sizes', [('dynamic_expand1', [3, 13, 15, 12]),
                                        ('dynamic_expand1_c12', [13])])
def test_expand_ratio_one_in_mixed_stage_matches_authors(name, sizes):
    """Ratio 1 in a stage offering [1, 4]: the authors' DynamicMBConvLayer
    builds the 1x1 expansion because max(ratios) != 1 (dynamic_layers.py
    lines 36-43) and runs it with make_divisible(round(cin * 1), 8) channels
    (line 69): 8 -> 8, 12 -> 16. Our rule gives the same (has_expansion, mid),
    and the dynamic block and its static export (train-mode BN, as the
    authors' dynamic BN) reproduce the authors' outputs."""
    case = CASES[name]
    c = case['config']
    assert attentive_block_expansion(c['in_channels'], 1, c['stage_expands']) == (
        c['has_expansion'], c['mid_channels'])
    block, choice = _dynamic(case)
    static = block.to_static(choice).train()
    for size in sizes:
        x = case['inputs'][size]
        with torch.no_grad():
            assert_close(block(x, choice), case['outputs'][size], atol=1e-5, rtol=1e-5)
            assert_close(static(x), case['outputs'][size], atol=1e-5, rtol=1e-5)


def test_ratio_one_alone_has_no_expansion():
    """A stage offering ratio 1 only (the published mb1, ``t: [1]``) has no
    expansion conv (dynamic_layers.py line 36-37)."""
    assert attentive_block_expansion(16, 1, (1,)) == (False, 16)
