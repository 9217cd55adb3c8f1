"""SearchedMobileNet's init_cfg as mmengine's: initializer configs (dict or
list), ``Pretrained`` with mmengine's prefix semantics through mmengine's
CheckpointLoader (a local path and an http:// URL), always weights-only, and
loading through mmdet's MODELS and a detector's ``init_weights()``."""
import functools
import http.server
import os
import threading

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.registry import DefaultScope

from nas_backbones.backbones import SearchedMobileNet
from nas_backbones.downstream.det_config import det_taps

KINDS = ['atomnas_a', 'atomnas_c_plus', 'attentivenas_a0', 'attentivenas_a6']


def saved(tmp_path, net, prefix='', name='weights.pth', **extra):
    path = tmp_path / name
    torch.save({'state_dict': {prefix + k: v for k, v in net.state_dict().items()}, **extra},
               path)
    return path


def assert_weights(net, source):
    for k, v in source.state_dict().items():
        torch.testing.assert_close(net.state_dict()[k], v, rtol=0, atol=0, msg=k)


def test_initializer_configs_dict_and_list():
    net = SearchedMobileNet('atomnas_a', init_cfg=[
        dict(type='Constant', val=0.5, layer='Conv2d'),
        dict(type='Constant', val=2.0, bias=0.1, layer='_BatchNorm')])
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    assert not all((m.weight == 0.5).all() for m in convs)  # built with the MobileNet init
    net.init_weights()
    assert all((m.weight == 0.5).all() for m in convs)
    bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    assert all((m.weight == 2.0).all() and (m.bias == 0.1).all() for m in bns)
    net = SearchedMobileNet('attentivenas_a0', init_cfg=dict(type='Kaiming', layer='Conv2d',
                                                             mode='fan_in', bias=0.25))
    net.init_weights()
    biased = [m for m in net.modules() if isinstance(m, nn.Conv2d) and m.bias is not None]
    assert biased and all((m.bias == 0.25).all() for m in biased)  # SE convs have biases
    assert net.is_init


@pytest.mark.parametrize('name', KINDS)
def test_pretrained_prefix_semantics(tmp_path, name):
    """mmengine's: prefix None loads the whole file (a leading 'module.'
    stripped), 'backbone' and 'backbone.' load the keys under it."""
    torch.manual_seed(1)
    source = SearchedMobileNet(name)
    cases = [(None, 'module.'), ('backbone', 'backbone.')]
    if name == 'atomnas_a':
        cases += [(None, ''), ('backbone.', 'backbone.')]
    for prefix, stored in cases:
        path = saved(tmp_path, source, stored, name=f'w{len(stored)}.pth')
        torch.manual_seed(2)
        net = SearchedMobileNet(name, init_cfg=dict(type='Pretrained', checkpoint=str(path),
                                                    prefix=prefix))
        net.init_weights()
        assert_weights(net, source)


def test_pretrained_applies_after_initializers(tmp_path):
    source = SearchedMobileNet('atomnas_a')
    path = saved(tmp_path, source, 'backbone.')
    net = SearchedMobileNet('atomnas_a', init_cfg=[
        dict(type='Pretrained', checkpoint=str(path), prefix='backbone'),
        dict(type='Constant', val=0.0, layer='Conv2d')])
    net.init_weights()
    assert_weights(net, source)


def test_prefix_that_matches_nothing_names_what_the_file_has(tmp_path):
    path = saved(tmp_path, SearchedMobileNet('atomnas_a'), 'model.backbone.')
    net = SearchedMobileNet('atomnas_a', init_cfg=dict(type='Pretrained', checkpoint=str(path),
                                                       prefix='backbone.'))
    with pytest.raises(ValueError, match=r"no key starts with prefix 'backbone\.'") as info:
        net.init_weights()
    message = str(info.value)
    assert "Expected keys like ['backbone.stem." in message
    assert "'model.backbone." in message and "init_cfg.prefix='model.backbone.'" in message
    net = SearchedMobileNet('atomnas_a', init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    with pytest.raises(ValueError, match=r"prefix None.*init_cfg.prefix='model.backbone.'"):
        net.init_weights()


def test_other_arch_fails_naming_keys(tmp_path):
    path = saved(tmp_path, SearchedMobileNet('atomnas_b'))
    net = SearchedMobileNet('atomnas_a', init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    with pytest.raises(ValueError, match='does not fit the model.*shape mismatches'):
        net.init_weights()


def test_missing_file_names_the_field(tmp_path):
    net = SearchedMobileNet('atomnas_a', init_cfg=dict(type='Pretrained',
                                                       checkpoint=str(tmp_path / 'none.pth')))
    with pytest.raises(FileNotFoundError, match='init_cfg.checkpoint'):
        net.init_weights()


def test_training_checkpoint_loads_weights_only(tmp_path):
    """An mmengine run checkpoint (message hub with HistoryBuffers, numpy
    scalars) loads with the restricted unpickler."""
    source = SearchedMobileNet('atomnas_a')
    hub = {'log_scalars': {'train/loss': HistoryBuffer([1.0, 2.0], [1, 1])}, 'runtime_info':
           {'iter': 3}}
    path = saved(tmp_path, source, 'backbone.', message_hub=hub,
                 meta={'eta': np.float64(1.5), 'seed': np.int64(0)})
    net = SearchedMobileNet('atomnas_a', init_cfg=dict(type='Pretrained', checkpoint=str(path),
                                                       prefix='backbone'))
    net.init_weights()
    assert_weights(net, source)


class RunsCode:
    """Unpickling this calls ``os.system``: what weights-only loading refuses."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}',)


def malicious(tmp_path, name='evil.pth'):
    path = tmp_path / name
    torch.save({'state_dict': {'stem.conv.weight': torch.zeros(1)},
                'payload': RunsCode(tmp_path / 'ran')}, path)
    return path


def test_file_that_pickles_code_is_refused(tmp_path, monkeypatch):
    # Even where the environment asks torch for unrestricted loads.
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    net = SearchedMobileNet('atomnas_a', init_cfg=dict(type='Pretrained',
                                                       checkpoint=str(malicious(tmp_path))))
    with pytest.raises(ValueError, match='not a weights-only checkpoint'):
        net.init_weights()
    assert not (tmp_path / 'ran').exists()
    assert os.environ['TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'] == '1'  # restored
    assert 'TORCH_FORCE_WEIGHTS_ONLY_LOAD' not in os.environ


@pytest.fixture
def http_root(tmp_path, monkeypatch):
    """(directory, base URL) of a local HTTP server; torch.hub's download
    cache in the test's directory."""
    root = tmp_path / 'served'
    root.mkdir()
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()
    server.server_close()


def test_url_checkpoint_loads_through_checkpoint_loader(http_root):
    """http(s):// goes through mmengine's CheckpointLoader, whose URL loader
    (torch.hub) passes weights_only=False: the file still runs no code."""
    root, url = http_root
    source = SearchedMobileNet('atomnas_a')
    saved(root, source, 'backbone.', name='atomnas_a.pth')
    net = SearchedMobileNet('atomnas_a', init_cfg=dict(
        type='Pretrained', checkpoint=f'{url}/atomnas_a.pth', prefix='backbone.'))
    net.init_weights()
    assert_weights(net, source)
    malicious(root)
    net = SearchedMobileNet('atomnas_a', init_cfg=dict(type='Pretrained',
                                                       checkpoint=f'{url}/evil.pth'))
    with pytest.raises(ValueError, match='not a weights-only checkpoint'):
        net.init_weights()
    assert not (root / 'ran').exists()


@pytest.mark.parametrize('name', KINDS)
def test_detector_built_by_mmdet_loads_through_init_weights(tmp_path, name):
    """``type='nas_backbones.SearchedMobileNet'`` in an mmdet model config:
    built by mmdet's MODELS, weights loaded by the detector's
    ``init_weights()`` (as mmdet's tools do), FPN fed by out_channels."""
    from mmdet.registry import MODELS
    import nas_backbones  # noqa: F401 (registers the backbone)
    torch.manual_seed(3)
    source = SearchedMobileNet(name)
    path = saved(tmp_path, source, 'backbone.')
    taps = det_taps(name)
    base = tmp_path / 'mask_rcnn.py'
    base.write_text("_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'\n")
    cfg = Config.fromfile(base)
    cfg.model.backbone = dict(type='nas_backbones.SearchedMobileNet', arch=name,
                              out_indices=taps.out_indices, frozen_stages=taps.frozen_stages,
                              norm_eval=True, init_cfg=dict(type='Pretrained',
                                                            checkpoint=str(path),
                                                            prefix='backbone.'))
    cfg.model.neck.in_channels = list(taps.channels)
    with DefaultScope.overwrite_default_scope('mmdet'):
        detector = MODELS.build(cfg.model)
    assert isinstance(detector.backbone, SearchedMobileNet)
    assert detector.backbone.out_channels == list(taps.channels)
    detector.init_weights()
    assert_weights(detector.backbone, source)
    detector.train()
    assert not any(m.training for m in detector.backbone.modules()
                   if isinstance(m, nn.BatchNorm2d))
    with torch.no_grad():
        feats = detector.extract_feat(torch.randn(1, 3, 64, 64))
    assert len(feats) == 5 and all(f.shape[1] == 256 for f in feats)
