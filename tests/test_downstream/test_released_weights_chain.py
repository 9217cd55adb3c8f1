"""From the authors' released files to a detection / transfer fine-tune: the
convert commands of docs/model_zoo.md write exactly the checkpoints the Mask
R-CNN and transfer configs load, and a converted file initialises those
configs' backbones (and the transfer head's pre-logits layer)."""
import re
import shlex

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from nas_conftest import REPO, ZOO

from nas_backbones.arch import load_arch
from nas_backbones.registry import MODELS
from tools.golden import released_format as rf
from tools.model_converters import atomnas_to_nas_backbones, attentivenas_to_nas_backbones

DOC = REPO / 'docs' / 'model_zoo.md'



def build_model(cfg):
    """MODELS.build in the configs' scope, whatever scope another test left."""
    with DefaultScope.overwrite_default_scope('nas_backbones'):
        return MODELS.build(cfg)

def convert_commands() -> dict:
    """output checkpoint -> parsed args of every convert command in the doc."""
    out = {}
    for line in DOC.read_text().splitlines():
        m = re.match(r'python tools/model_converters/(\w+)\.py (.*)$', line)
        if not m or '\\' in line:
            continue
        tool = {'attentivenas_to_nas_backbones': attentivenas_to_nas_backbones,
                'atomnas_to_nas_backbones': atomnas_to_nas_backbones}[m.group(1)]
        args = tool.parse_args(shlex.split(m.group(2)))
        out[args.dst] = (m.group(1), args)
    return out


def downstream_configs() -> list:
    names = sorted((REPO / 'configs' / 'mask_rcnn').glob('mask-rcnn_*_coco.py'))
    names += sorted(p for p in (REPO / 'configs' / 'transfer').glob('attentivenas-*.py')
                    if '_demo_' not in p.name)
    return names


def test_every_published_net_has_a_convert_and_eval_command():
    commands = convert_commands()
    for arch in ZOO:
        tool, args = commands[f'checkpoints/{arch}_in1k.pth']
        assert tool.startswith(arch.split('_')[0])
        if tool.startswith('attentivenas'):
            assert args.subnet == arch
        cfg = Config.fromfile(REPO / args.calib_config)
        assert '_3rdparty_in1k.py' in args.calib_config and cfg.model.backbone.arch == arch
        assert f'python tools/test.py {args.calib_config} {args.dst}\n' in DOC.read_text()
    assert 'checkpoints/attentivenas_supernet_in1k.pth' in commands


@pytest.mark.parametrize('config', downstream_configs(), ids=lambda p: p.name)
def test_downstream_configs_load_what_the_converters_write(config):
    cfg = Config.fromfile(config)
    arch = cfg.model.backbone.arch
    checkpoint = cfg.model.backbone.init_cfg.checkpoint
    assert checkpoint == f'checkpoints/{arch}_in1k.pth'
    assert checkpoint in convert_commands()


@pytest.mark.parametrize('det, transfer, family', [
    ('mask-rcnn_attentivenas-a1_fpn_1x_coco.py', 'attentivenas-a1_1xb64_flowers102.py',
     'attentivenas'),
    ('mask-rcnn_atomnas-a-plus_fpn_1x_coco.py', None, 'atomnas_a_plus')])
def test_converted_weights_initialise_the_downstream_models(tmp_path, monkeypatch, det,
                                                            transfer, family):
    arch = load_arch('attentivenas_a1' if family == 'attentivenas' else family)
    out = tmp_path / 'checkpoints' / f'{arch.name}_in1k.pth'
    if family == 'attentivenas':
        src = rf.attentivenas_file_from_fixture(tmp_path / 'attentive_nas_pretrained.pth.tar')
        attentivenas_to_nas_backbones.main([str(src), str(out), '--subnet', arch.name,
                                            '--no-calib'])
    else:
        src, _ = rf.atomnas_files_from_fixture(tmp_path / 'released' / 'ckpt', family)
        atomnas_to_nas_backbones.main([str(src), str(out)])
    state = torch.load(out, weights_only=True)['state_dict']
    monkeypatch.chdir(tmp_path)  # the configs' relative checkpoints/<arch>_in1k.pth
    backbone = build_model(Config.fromfile(REPO / 'configs' / 'mask_rcnn' / det).model.backbone)
    backbone.init_weights()
    for key, value in backbone.state_dict().items():
        assert torch.equal(value, state[f'backbone.{key}']), key
    if transfer is not None:
        cfg = Config.fromfile(REPO / 'configs' / 'transfer' / transfer)
        model = build_model(cfg.model)
        model.init_weights()
        assert torch.equal(model.head.mid_fc[0].weight, state['head.mid_fc.0.weight'])
        assert torch.equal(model.backbone.stem.conv.weight, state['backbone.stem.conv.weight'])
