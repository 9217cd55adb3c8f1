"""NASClsHead derives its widths from the backbone's arch (``arch=``), so a
config need not hand-write ``6 x width[7]``; hand-written widths that
disagree with the arch fail naming the key."""
import pytest
import torch

from nas_backbones.arch import load_arch
from nas_backbones.backbones import SearchedMobileNet
from nas_backbones.backbones.cls_head import NASClsHead


@pytest.mark.parametrize('name', ['attentivenas_a0', 'attentivenas_a6', 'atomnas_a'])
def test_widths_from_the_arch_fit_the_backbone(name):
    backbone = SearchedMobileNet(name).eval()
    head = NASClsHead(num_classes=7, arch=name).eval()
    arch = load_arch(name)
    expected_mid = arch.width[8] if arch.family == 'attentivenas' else 0
    assert head.in_channels == backbone.out_channels[-1]
    assert head.fc.in_features == (expected_mid or backbone.out_channels[-1])
    with torch.no_grad():
        feats = backbone(torch.randn(1, 3, 64, 64))[-1].mean((2, 3))
        assert head((feats,)).shape == (1, 7)


def test_explicit_widths_are_checked_against_the_arch():
    a0 = load_arch('attentivenas_a0')
    NASClsHead(num_classes=10, in_channels=6 * a0.width[7], mid_channels=a0.width[8], arch=a0)
    with pytest.raises(ValueError, match='in_channels: 1000 disagrees'):
        NASClsHead(num_classes=10, in_channels=1000, arch=a0)
    with pytest.raises(ValueError, match='mid_channels'):
        NASClsHead(num_classes=10, mid_channels=1984, arch=a0)


def test_without_arch_in_channels_is_required():
    with pytest.raises(ValueError, match='in_channels: missing'):
        NASClsHead(num_classes=10)
    assert NASClsHead(num_classes=10, in_channels=32).fc.in_features == 32
