"""Dynamic ops: a choice == the static op from to_static(), max choice ==
the owned max-size layer, and slicing uses views (no weight copies)."""
import pytest
import torch
import torch.nn as nn
from torch.testing import assert_close

from nas_backbones.ops.dynamic_bn import DynamicBatchNorm2d
from nas_backbones.ops.dynamic_conv import DynamicConv2d, DynamicDepthwiseConv2d, centre_crop
from nas_backbones.ops.dynamic_linear import DynamicLinear
from nas_backbones.ops.dynamic_mbconv import BlockChoice, DynamicConvBNAct, DynamicMBConv
from nas_backbones.ops.dynamic_se import DynamicSqueezeExcite
from nas_backbones.ops.mbconv import MBConv


def randomise_bn(module):
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.normal_(0, 0.2)
            m.running_var.uniform_(0.5, 2.0)
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.normal_(m.bias, 0, 0.2)


@pytest.mark.parametrize('cin,cout,k', [(8, 16, 5), (5, 7, 3), (3, 16, 1)], ids=str)
@pytest.mark.parametrize('stride', [1, 2])
def test_conv_equals_static(cin, cout, k, stride):
    op = DynamicConv2d(8, 16, 5, stride, bias=True)
    x = torch.randn(2, cin, 9, 9)
    assert_close(op(x, cout, k), op.to_static(cin, cout, k)(x))


def test_conv_max_choice_is_the_layer_and_views_share_storage():
    op = DynamicConv2d(8, 16, 5)
    w, _ = op.active_params(8, 16, 5)
    assert w is op.conv.weight
    w, _ = op.active_params(4, 8, 3)
    assert w.data_ptr() != 0 and w.untyped_storage().data_ptr() == op.conv.weight.untyped_storage().data_ptr()
    assert torch.equal(centre_crop(op.conv.weight, 3), op.conv.weight[:, :, 1:4, 1:4])


@pytest.mark.parametrize('c,k,stride', [(12, 3, 1), (7, 5, 2), (12, 5, 1)], ids=str)
def test_depthwise_equals_static(c, k, stride):
    op = DynamicDepthwiseConv2d(12, 5, stride)
    x = torch.randn(2, c, 8, 8)
    assert_close(op(x, k), op.to_static(c, k)(x))


@pytest.mark.parametrize('train', [False, True], ids=['eval', 'train'])
def test_bn_equals_static(train):
    op = DynamicBatchNorm2d(16, momentum=0.1)
    randomise_bn(op)
    static = op.to_static(10)
    op.train(train), static.train(train)
    x = torch.randn(4, 10, 5, 5)
    assert_close(op(x), static(x))
    # the first-N running statistics are updated in place, as the static BN's
    assert_close(op.bn.running_mean[:10], static.running_mean)


def test_bn_momentum_zero_freezes_statistics():
    op = DynamicBatchNorm2d(8, momentum=0.0).train()
    op(torch.randn(4, 6, 3, 3) + 5)
    assert torch.equal(op.bn.running_mean, torch.zeros(8))


def test_linear_and_se_equal_static():
    lin = DynamicLinear(20, 10)
    x = torch.randn(3, 12)
    assert_close(lin(x, 7), lin.to_static(12, 7)(x))
    se = DynamicSqueezeExcite(32, 8)
    x = torch.randn(1, 24, 5, 5)  # batch 1: the SE keeps the batch dim
    assert_close(se(x, 8), se.to_static(24, 8)(x))


@pytest.mark.parametrize('depthwise', [False, True], ids=['conv', 'dw'])
def test_conv_bn_act_equals_static(depthwise):
    op = DynamicConvBNAct(16, 16, 5, 2, depthwise=depthwise)
    randomise_bn(op)
    op.eval()
    x = torch.randn(2, 12, 9, 9)
    out = 12 if depthwise else 10
    assert_close(op(x, out, 3), op.to_static(12, out, 3).eval()(x))


CHOICES = [  # in, out, mid, k, expand, se_hidden, identity
    (16, 24, 64, 3, True, 16, False),
    (24, 24, 96, 5, True, 0, True),
    (16, 16, 16, 5, False, 8, True),
    (8, 24, 32, 3, True, 8, False),
]


@pytest.mark.parametrize('stride', [1, 2])
@pytest.mark.parametrize('choice', CHOICES, ids=lambda c: f'{c[0]}-{c[1]}-t{c[2]}-k{c[3]}-se{c[5]}')
def test_mbconv_equals_static(choice, stride):
    cin, cout, mid, k, expand, hidden, identity = choice
    identity = identity and stride == 1
    op = DynamicMBConv(24, 24, 144, 5, stride, has_expansion=True, max_se_hidden=32,
                       needs_shortcut_conv=True)
    randomise_bn(op)
    op.eval()
    c = BlockChoice(cin, cout, mid, k, expand, hidden, identity)
    static = op.to_static(c).eval()
    assert isinstance(static, MBConv)
    x = torch.randn(2, cin, 8, 8)
    assert_close(op(x, c), static(x), atol=1e-5, rtol=1e-5)


def test_mbconv_drop_path_only_in_training():
    op = DynamicMBConv(8, 8, 32, 3, 1, True).eval()
    c = BlockChoice(8, 8, 32, 3, True, 0, True, drop_path_rate=0.5)
    x = torch.randn(4, 8, 6, 6)
    assert_close(op(x, c), op(x, c._replace(drop_path_rate=0.0)))
