"""Golden test of the AttentiveNAS converter against the ORIGINAL code.

tests/test_engine/fixtures/attentivenas_supernet.* were made by
tools/golden/make_released_fixtures.py with facebookresearch/AttentiveNAS
(commit in the .json): the supernet of configs/eval_attentive_nas_models.yml
(models/attentive_nas_dynamic_model.py) filled by the rule of
tools/golden/released_format.py, and the eval logits of its static subnets
(``set_active_subnet`` + ``get_active_subnet``; the static model resizes a
224 input bicubically to the subnet's resolution) for min, max, A0-A6 and
three random subnets, and for A0 / random0 also after the authors' BN
recalibration (``reset_running_stats_for_calibration`` + forwards, as
test_attentive_nas.py). Here the same weights are written in the released
format (utils/saver.py), converted with the tool and evaluated.
"""
import numpy as np
import pytest
import torch
from mmengine.config import Config

from nas_backbones.arch import AttentiveArch, load_arch
from nas_backbones.engine.released.calib import build_classifier
from tools import test as test_tool
from nas_conftest import build_in_scope, relative_error
from tools.golden import released_format as rf
from tools.model_converters import attentivenas_to_nas_backbones as converter

FIXTURE = rf.load_manifest('attentivenas_supernet')
LOGITS = rf.load_arrays('attentivenas_supernet')
IMAGES = rf.load_arrays('images')['images']
SUBNETS = sorted(FIXTURE['subnets'])
RTOL = 1e-4  # max |ours - original| relative to max |original|


def authors_arch(cfg: dict) -> AttentiveArch:
    return AttentiveArch(resolution=cfg['resolution'], width=tuple(cfg['width']),
                         depth=tuple(cfg['depth']), kernel=tuple(cfg['kernel_size']),
                         expand=tuple(cfg['expand_ratio']))


@pytest.fixture(scope='module')
def released(tmp_path_factory):
    return rf.attentivenas_file_from_fixture(tmp_path_factory.mktemp('released') /
                                             'attentive_nas_pretrained.pth.tar')


@pytest.fixture(scope='module')
def supernet_ckpt(released, tmp_path_factory):
    out = tmp_path_factory.mktemp('converted') / 'attentivenas_supernet_in1k.pth'
    converter.main([str(released), str(out)])
    return out


@pytest.fixture(scope='module')
def supernet_model(supernet_ckpt, released):
    """The converted supernet checkpoint loaded into the AttentiveNAS model of
    the supernet training configs."""
    cfg = Config.fromfile('configs/attentivenas/_base_/attentivenas_supernet.py')
    model = build_in_scope(cfg.model)
    ckpt = torch.load(supernet_ckpt, weights_only=True)
    model.load_state_dict(ckpt['state_dict'], strict=True)
    meta = ckpt['meta']
    assert meta['source_file'] == released.name and len(meta['source_sha256']) == 64
    # The file has the released name but not the released bytes.
    assert meta['source_md5_published'] == '52741b01f92e680254bfa55c29ebdb71'
    assert meta['source_md5_matches_published'] is False
    return model.eval()


def test_search_tool_loads_the_converted_supernet(supernet_ckpt, tmp_path):
    from tools.search import build_runner
    cfg = Config.fromfile('configs/attentivenas/attentivenas-search-a1_in1k.py')
    cfg.work_dir = str(tmp_path)
    runner = build_runner(cfg, str(supernet_ckpt))
    state = torch.load(supernet_ckpt, weights_only=True)['state_dict']
    weights = {k: v for k, v in runner.model.state_dict().items() if k.startswith('supernet.')}
    assert len(weights) == len(state) - 1  # all but the sampler's RNG state
    for key, value in weights.items():
        assert torch.equal(value, state[key]), key


@pytest.mark.parametrize('name', SUBNETS)
def test_converted_supernet_matches_original_subnets(supernet_model, name):
    arch = authors_arch(FIXTURE['subnets'][name])
    supernet_model.set_eval_arch(arch)
    x = rf.to_input(rf.centre_crop(IMAGES, 224))
    with torch.no_grad():
        logits = supernet_model(x, mode='tensor')
    assert relative_error(logits, LOGITS[f'logits__{name}']) <= RTOL


def test_a0_a6_are_the_authors_pareto_models():
    for i in range(7):
        assert load_arch(f'attentivenas_a{i}').encode() == \
            authors_arch(FIXTURE['subnets'][f'a{i}']).encode()


def eval_classifier(config: str, checkpoint) -> torch.nn.Module:
    cfg = Config.fromfile(config)
    model = build_in_scope(cfg.model)
    model.load_state_dict(torch.load(checkpoint, weights_only=True)['state_dict'], strict=True)
    return model.eval()


def classify(model, images: np.ndarray) -> torch.Tensor:
    """Logits of the classifier on uint8 RGB images, through its data
    preprocessor (BGR in, as LoadImageFromFile gives them)."""
    bgr = torch.from_numpy(np.ascontiguousarray(images[..., ::-1])).permute(0, 3, 1, 2)
    with torch.no_grad():
        inputs = model.data_preprocessor({'inputs': bgr}, False)['inputs']
        return model(inputs, mode='tensor')


@pytest.fixture(scope='module')
def a0_calibrated(released, tmp_path_factory):
    """A0 converted with BN recalibration on the fixture's calibration batches
    (through the eval config's calib_dataloader, exact images, in order)."""
    tmp = tmp_path_factory.mktemp('a0')
    calib = rf.calibration_images(IMAGES)
    data = rf.write_image_folder(tmp / 'data', {
        'train': [img for batch in calib for img in batch], 'val': list(IMAGES)})
    out = tmp / 'attentivenas_a0_in1k.pth'
    args = converter.parse_args([str(released), str(out), '--subnet', 'attentivenas_a0',
                                 '--calib-config', CONFIG_A0,
                                 '--calib-batches', str(len(calib))])
    args.cfg_options = rf.exact_calib_options(data, batch_size=len(IMAGES))
    converter.convert(args)
    return out, data


CONFIG_A0 = 'configs/attentivenas/attentivenas-a0_3rdparty_in1k.py'


def test_subnet_with_bn_recalibration_matches_original(a0_calibrated):
    out, _ = a0_calibrated
    ckpt = torch.load(out, weights_only=True)
    assert ckpt['meta']['bn_recalibrated'] and ckpt['meta']['calib_batches'] == 3
    assert load_arch(str(out.with_suffix('.yml'))) == load_arch('attentivenas_a0')
    model = eval_classifier(CONFIG_A0, out)
    # The authors' protocol: a 224 crop, resized to 192 inside the model.
    logits = classify(model, rf.centre_crop(IMAGES, 224))
    assert relative_error(logits, LOGITS['calibrated__a0']) <= RTOL


def test_tools_test_evaluates_with_the_authors_protocol(a0_calibrated, tmp_path):
    """tools/test.py + the eval config on 256 x 256 images: resize 256 is the
    identity, centre crop 224, in-model bicubic to 192 -- the original's
    scores."""
    out, data = a0_calibrated
    pred = tmp_path / 'pred.pkl'
    test_tool.main([CONFIG_A0, str(out), '--work-dir', str(tmp_path), '--out', str(pred),
                    '--out-item', 'pred', '--cfg-options',
                    f'test_dataloader.dataset.data_root={data}', 'test_dataloader.num_workers=0',
                    'test_dataloader.persistent_workers=False',
                    'test_dataloader.batch_size=2'])
    import mmengine
    scores = torch.stack([p['pred_score'] for p in mmengine.load(str(pred))])
    ref = torch.softmax(torch.from_numpy(LOGITS['calibrated__a0']), 1).numpy()
    assert relative_error(scores, ref) <= RTOL


@pytest.mark.parametrize('name, subnet', [('a6', 'attentivenas_a6'), ('random1', 'file')])
def test_subnet_without_recalibration_keeps_the_supernet_statistics(released, tmp_path, name,
                                                                     subnet):
    """A6 (288: the in-model resize upsamples) and a random subnet given as an
    arch file in the authors' pareto_models format."""
    if subnet == 'file':
        import yaml
        subnet = tmp_path / 'random1.yml'
        subnet.write_text(yaml.safe_dump(FIXTURE['subnets'][name]))
    out = tmp_path / 'subnet.pth'
    converter.main([str(released), str(out), '--subnet', str(subnet), '--no-calib'])
    arch = load_arch(str(out.with_suffix('.yml')))
    assert arch.encode() == authors_arch(FIXTURE['subnets'][name]).encode()
    assert not torch.load(out, weights_only=True)['meta']['bn_recalibrated']
    pre = Config.fromfile(CONFIG_A0).model.data_preprocessor.to_dict()
    model = build_classifier(arch, torch.load(out, weights_only=True)['state_dict'], pre)
    assert model.data_preprocessor.size == arch.resolution
    logits = classify(model, rf.centre_crop(IMAGES, 224))
    assert relative_error(logits, LOGITS[f'logits__{name}']) <= RTOL


def test_subnet_needs_a_calibration_decision(released, tmp_path):
    with pytest.raises(SystemExit, match='needs --calib-config CONFIG .* --no-calib'):
        converter.main([str(released), str(tmp_path / 'x.pth'), '--subnet', 'attentivenas_a0'])
    with pytest.raises(SystemExit, match='not an AttentiveNAS arch'):
        converter.main([str(released), str(tmp_path / 'x.pth'), '--subnet', 'atomnas_a',
                        '--no-calib'])
    bad = load_arch('attentivenas_a0').replace(kernel=(7,) * 7)
    with pytest.raises(SystemExit, match=r'kernel\[0\]: 7 not in'):
        converter.main([str(released), str(tmp_path / 'x.pth'), '--subnet',
                        str(bad.save(tmp_path / 'bad.yml')), '--no-calib'])


def test_incomplete_or_foreign_state_dicts_fail_naming_keys(tmp_path):
    state = rf.fill_state_dict(FIXTURE['manifest'], FIXTURE['seed'], FIXTURE['conv_gain'])
    missing = dict(state)
    del missing['blocks.3.mobile_inverted_conv.depth_conv.bn.bn.running_var']
    with pytest.raises(SystemExit, match='missing.*blocks.3.dw.bn.bn.running_var'):
        converter.main([str(rf.write_attentivenas_file(tmp_path / 'm.pth.tar', missing)),
                        str(tmp_path / 'o.pth')])
    extra = dict(state, **{'blocks.0.mobile_inverted_conv.extra.weight': torch.zeros(1)})
    with pytest.raises(SystemExit, match='does not know.*blocks.0.mobile_inverted_conv.extra'):
        converter.main([str(rf.write_attentivenas_file(tmp_path / 'e.pth.tar', extra)),
                        str(tmp_path / 'o.pth')])
    wrong = dict(state)
    wrong['classifier.linear.linear.weight'] = torch.zeros(10, 1984)
    with pytest.raises(SystemExit, match=r'fc.linear.weight: file \(10, 1984\) vs model '
                                         r'\(1000, 1984\)'):
        converter.main([str(rf.write_attentivenas_file(tmp_path / 'w.pth.tar', wrong)),
                        str(tmp_path / 'o.pth')])
    pt, _ = rf.write_atomnas_files(tmp_path / 'ckpt', {'x': torch.zeros(1)},
                                   {'x': torch.zeros(1)}, {'input_channel': 16})
    with pytest.raises(SystemExit, match='released atomnas checkpoint.*atomnas_to_nas_backbones'):
        converter.main([str(pt), str(tmp_path / 'o.pth')])
