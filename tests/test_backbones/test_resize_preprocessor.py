"""ResizeClsDataPreprocessor: mmpretrain's normalisation, then the in-model
resize of the authors' AttentiveNAS static model
(models/attentive_nas_static_model.py: ``F.interpolate(x, size=resolution,
mode='bicubic')`` when the width differs)."""
import pytest
import torch
import torch.nn.functional as F
from mmpretrain.models.utils.data_preprocessor import ClsDataPreprocessor

from nas_backbones.backbones import ResizeClsDataPreprocessor

NORM = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)


def batch(size=224, n=2):
    g = torch.Generator().manual_seed(0)
    return {'inputs': torch.randint(0, 256, (n, 3, size, size), generator=g, dtype=torch.uint8)}


@pytest.mark.parametrize('size', [192, 288])
def test_resizes_the_normalised_batch_as_the_authors_model(size):
    data = batch()
    ours = ResizeClsDataPreprocessor(size=size, **NORM)(dict(data))['inputs']
    plain = ClsDataPreprocessor(**NORM)(dict(data))['inputs']
    authors = F.interpolate(plain, size=size, mode='bicubic')
    assert ours.shape == (2, 3, size, size)
    torch.testing.assert_close(ours, authors, rtol=0, atol=0)


def test_no_resize_at_the_nets_resolution():
    data = batch(224)
    ours = ResizeClsDataPreprocessor(size=224, **NORM)(dict(data))['inputs']
    torch.testing.assert_close(ours, ClsDataPreprocessor(**NORM)(dict(data))['inputs'],
                               rtol=0, atol=0)


@pytest.mark.parametrize('kwargs, field', [({'size': 0}, 'size'), ({'size': 224.0}, 'size'),
                                           ({'size': 224, 'mode': 'lanczos'}, 'mode')])
def test_bad_arguments_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=f'{field}:'):
        ResizeClsDataPreprocessor(**kwargs, **NORM)
