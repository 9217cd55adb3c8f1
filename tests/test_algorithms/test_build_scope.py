"""Our components build their own parts whatever default scope is current.

Every mmengine Runner leaves its ``default_scope`` as the process's current
one; a model built afterwards by code (a test, a notebook, tools/export.py)
must not resolve its parts in that scope: AtomNAS's supernet is ours only,
and mmdet has a ``CrossEntropyLoss`` of its own that NASClsHead must not pick
up. (This used to need an autouse fixture that reset mmengine's scopes.)
"""
import pytest
from mmengine.registry import DefaultScope
from mmpretrain.models.losses import CrossEntropyLoss

from nas_backbones.algorithms import AtomNAS
from nas_backbones.backbones import NASClsHead

TINY = [(1, 8, 1, 1), (6, 8, 2, 2), (6, 16, 1, 2)]


@pytest.mark.parametrize('scope', ['mmengine', 'mmdet', 'mmpretrain'])
def test_sub_builds_ignore_the_current_scope(scope):
    with DefaultScope.overwrite_default_scope(scope):  # as a Runner of that scope leaves it
        model = AtomNAS(supernet=dict(setting=TINY, resolution=32, num_classes=4,
                                      last_channels=16))
        head = NASClsHead(num_classes=3, in_channels=8)
    assert model.supernet.current_arch().num_classes == 4
    assert type(head.loss_module) is CrossEntropyLoss
