"""Golden test of the AtomNAS converter against the ORIGINAL code.

tests/test_engine/fixtures/atomnas_*.* were made by
tools/golden/make_released_fixtures.py with meijieru/AtomNAS (commit in the
.json): models/searched_network.py with the released archs A/B/C
(apps/searched/models/*.yml) and their + variants (Swish, SE 0.5, fused
block: apps/searched/atomnas_*/atomnas_*+.yml), and one search supernet
(models/mobilenet_supernet.py) shrunk by the authors' compress_by_mask
(a dead 7x7 branch, a block with no atoms left). Model weights and EMA
shadow are filled by different seeds of the rule of
tools/golden/released_format.py; the fixture holds the eval logits with the
EMA weights (common.py: get_ema_model) and after the authors' BN
recalibration (utils/common.py: bn_calibration, as val.py runs it). Here the
same tensors are written as save_status writes them (``.pt`` + the
``str(model_kwparams)`` ``.yml``), converted with the tool and evaluated.

The + variants' EMA logits depend on the input only weakly (random weights
through SE gates); their recalibrated logits depend on it strongly, so the
two checks together cover both the statistics and the input path.
"""
import numpy as np
import pytest
import torch
from mmengine.config import Config

from nas_backbones.arch import load_arch
from nas_backbones.engine.released.atomnas import convert_released_atomnas
from nas_backbones.engine.released.calib import build_classifier, recalibrate_classifier
from nas_backbones.engine.released.common import ConversionError
from nas_conftest import build_in_scope, relative_error
from tools.golden import released_format as rf
from tools.model_converters import atomnas_to_nas_backbones as converter

NETS = ['atomnas_a', 'atomnas_b', 'atomnas_c', 'atomnas_a_plus', 'atomnas_b_plus',
        'atomnas_c_plus', 'atomnas_a_search_shrunk']
IMAGES = rf.load_arrays('images')['images']
RTOL = 1e-4  # max |ours - original| relative to max |original|


def classify(model, images: np.ndarray) -> torch.Tensor:
    bgr = torch.from_numpy(np.ascontiguousarray(images[..., ::-1])).permute(0, 3, 1, 2)
    with torch.no_grad():
        inputs = model.data_preprocessor({'inputs': bgr}, False)['inputs']
        return model(inputs, mode='tensor')


def config_of(name: str) -> str:
    zoo = name.replace('atomnas_', '').replace('_plus', '-plus')
    return f'configs/atomnas/atomnas-{zoo}_3rdparty_in1k.py'


def data_preprocessor() -> dict:
    return Config.fromfile(config_of('atomnas_a')).model.data_preprocessor.to_dict()


@pytest.mark.parametrize('name', NETS)
def test_converted_ema_weights_and_recalibration_match_original(tmp_path, name):
    pt, yml = rf.atomnas_files_from_fixture(tmp_path / 'ckpt', name)
    arch, state, report, meta = convert_released_atomnas(pt)
    logits = rf.load_arrays(name)
    model = build_classifier(arch, state, data_preprocessor())
    x = rf.centre_crop(IMAGES, 224)
    assert relative_error(classify(model, x), logits['logits_ema']) <= RTOL
    calib = rf.calibration_images(IMAGES)
    batches = [{'inputs': torch.from_numpy(np.ascontiguousarray(b[..., ::-1])).permute(0, 3, 1, 2)}
               for b in calib]
    assert recalibrate_classifier(model, batches, len(batches)) == len(batches)
    assert relative_error(classify(model, x), logits['logits_calibrated']) <= RTOL
    assert meta['source_weights'] == 'ema' and meta['source_arch_file'] == yml.name
    if name == 'atomnas_a_search_shrunk':
        # The pw_bn of the block whose atoms all died is never used.
        assert sorted(report.dropped) == [f'features.4.pw_bn.{k}' for k in
                                          ('bias', 'num_batches_tracked', 'running_mean',
                                           'running_var', 'weight')]
        assert arch.blocks[3].atoms == () and arch.blocks[6].kernel_sizes == (3, 5)
        assert meta['zoo_arch'] is None
    else:
        assert meta['zoo_arch'] == name and arch == load_arch(name) and not report.dropped


def test_cli_converts_recalibrates_and_tools_test_evaluates(tmp_path):
    """The documented chain for AtomNAS-A+: convert with --calib-config, then
    tools/test.py with the same config reproduces the original's
    post-recalibration scores (TF-style centre crop of the 256 images)."""
    name = 'atomnas_a_plus'
    pt, _ = rf.atomnas_files_from_fixture(tmp_path / 'released' / 'ckpt', name)
    calib = rf.calibration_images(IMAGES)
    data = rf.write_image_folder(tmp_path / 'data', {
        'train': [img for b in calib for img in b], 'val': list(IMAGES)})
    out = tmp_path / 'checkpoints' / 'atomnas_a_plus_in1k.pth'
    args = converter.parse_args([str(pt), str(out), '--calib-config', config_of(name),
                                 '--calib-batches', str(len(calib))])
    args.cfg_options = rf.exact_calib_options(data, batch_size=len(IMAGES))
    converter.convert(args)
    ckpt = torch.load(out, weights_only=True)
    assert ckpt['meta']['bn_recalibrated'] and ckpt['meta']['zoo_arch'] == name
    assert load_arch(str(out.with_suffix('.yml'))) == load_arch(name)
    # The eval config's test pipeline on 256 x 256 images: crop 224 / 256 * 256
    # = 224 px, so the bicubic resize to 224 is the identity.
    cfg = Config.fromfile(config_of(name))
    model = build_in_scope(cfg.model)
    model.load_state_dict(ckpt['state_dict'], strict=True)
    ref = rf.load_arrays(name)['logits_calibrated']
    assert relative_error(classify(model.eval(), rf.centre_crop(IMAGES, 224)), ref) <= RTOL
    from tools import test as test_tool
    pred = tmp_path / 'pred.pkl'
    test_tool.main([config_of(name), str(out), '--work-dir', str(tmp_path / 'wd'), '--out',
                    str(pred), '--out-item', 'pred', '--cfg-options',
                    f'test_dataloader.dataset.data_root={data}', 'test_dataloader.num_workers=0',
                    'test_dataloader.persistent_workers=False', 'test_dataloader.batch_size=2'])
    import mmengine
    scores = torch.stack([p['pred_score'] for p in mmengine.load(str(pred))])
    assert relative_error(scores, torch.softmax(torch.from_numpy(ref), 1).numpy()) <= RTOL


def test_no_ema_converts_the_raw_model_weights(tmp_path):
    pt, _ = rf.atomnas_files_from_fixture(tmp_path / 'ckpt', 'atomnas_a')
    _, ema, _, _ = convert_released_atomnas(pt)
    _, raw, _, meta = convert_released_atomnas(pt, use_ema=False)
    info = rf.load_manifest('atomnas_a')
    expected = rf.fill_state_dict(info['manifest'], info['seed'])
    assert meta['source_weights'] == 'model'
    assert torch.equal(raw['backbone.stem.conv.weight'], expected['features.0.0.weight'])
    assert not torch.equal(ema['backbone.stem.conv.weight'], expected['features.0.0.weight'])


def test_plus_yml_without_se_ratio_is_completed_from_the_weights(tmp_path):
    # save_status writes output_network(): 'nn.Swish' but no se_ratio / block.
    pt, yml = rf.atomnas_files_from_fixture(tmp_path / 'ckpt', 'atomnas_b_plus')
    assert 'se_ratio' not in yml.read_text() and "'nn.Swish'" in yml.read_text()
    arch, _, _, _ = convert_released_atomnas(pt)
    assert (arch.act, arch.se_ratio) == ('swish', 0.5)


def test_mismatches_fail_naming_keys(tmp_path):
    info = rf.load_manifest('atomnas_a')
    state = rf.fill_state_dict(info['manifest'], info['seed'])
    shadow = {k: v for k, v in state.items() if k in set(info['shadow_keys'])}
    kw = info['kwparams']
    # The wrong arch file: AtomNAS-B's on AtomNAS-A weights, or one atom fewer.
    pt, yml = rf.write_atomnas_files(tmp_path / 'a', state, shadow, kw)
    yml.write_text(str(rf.load_manifest('atomnas_b')['kwparams']))
    with pytest.raises(ConversionError, match=r"no \['features.5.ops.2.0.0.weight'\] .*does "
                                              r"the arch file match"):
        convert_released_atomnas(pt)
    rows = [list(r) for r in kw['inverted_residual_setting']]
    rows[1][4] = [16, 12, 8]
    yml.write_text(str(dict(kw, inverted_residual_setting=rows)))
    with pytest.raises(ConversionError, match=r'shape mismatches .*blocks.1.expand.conv.weight: '
                                              r'file \(37, 16, 1, 1\) vs model \(36, 16, 1, 1\)'):
        convert_released_atomnas(pt)
    # A tensor missing from the EMA, a tensor the converter does not know.
    partial = {k: v for k, v in shadow.items() if k != 'features.5.pw_bn.bias'}
    pt, _ = rf.write_atomnas_files(tmp_path / 'b', state, partial, kw)
    with pytest.raises(ConversionError, match=r"ema.shadow lacks \['features.5.pw_bn.bias'\]"):
        convert_released_atomnas(pt)
    more = {'features.3.ops.0.extra.weight': torch.zeros(1)}
    pt, _ = rf.write_atomnas_files(tmp_path / 'c', dict(state, **more), dict(shadow, **more), kw)
    with pytest.raises(ConversionError, match='does not know.*features.3.ops.0.extra.weight'):
        convert_released_atomnas(pt)
    with pytest.raises(SystemExit, match='arch file written beside the .pt is missing'):
        converter.main([str(tmp_path / 'a.pt'), str(tmp_path / 'o.pth'), '--arch',
                        str(tmp_path / 'none.yml')])
    att = rf.write_attentivenas_file(tmp_path / 'att.pth.tar', {'x': torch.zeros(1)})
    att.with_suffix('.yml').write_text(str(kw))
    with pytest.raises(SystemExit, match='released attentivenas checkpoint.*'
                                         'attentivenas_to_nas_backbones'):
        converter.main([str(att), str(tmp_path / 'o.pth'), '--arch', str(att.with_suffix('.yml'))])
