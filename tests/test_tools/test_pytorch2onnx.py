"""tools/deployment/pytorch2onnx.py: arch or config + weights -> ONNX that
onnxruntime runs like PyTorch (the tool checks it; the test checks the file
again on its own input), backbone-only feature taps, clear errors."""
import numpy as np
import pytest
import torch
from nas_conftest import REPO

from nas_backbones.arch import load_arch
from nas_backbones.ops import build_static_classifier
from nas_backbones.ops.onnx_export import ort_session
from tools.deployment import pytorch2onnx

FPN_DEMO = REPO / 'configs' / 'mask_rcnn' / 'mask-rcnn_atomnas-a_fpn_demo.py'
A0_CONFIG = REPO / 'configs' / 'attentivenas' / 'attentivenas-a0_8xb256_in1k.py'


@pytest.fixture(scope='module')
def a0_weights(tmp_path_factory):
    """An exported-style weights file of AttentiveNAS-A0 (``state_dict`` +
    ``meta``, mmpretrain key names) with non-trivial BN statistics."""
    torch.manual_seed(0)
    model = build_static_classifier(load_arch('attentivenas_a0'))
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
    path = tmp_path_factory.mktemp('w') / 'a0.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {'arch': 'attentivenas_a0'}}, path)
    return path, model.eval()


def test_arch_and_weights_to_onnx(a0_weights, tmp_path):
    path, model = a0_weights
    out = tmp_path / 'a0.onnx'
    res = pytorch2onnx.main(['attentivenas_a0', str(path), '--out', str(out), '--shape', '96',
                             '--dynamic-batch'])
    assert res['max_diff'] <= 1e-4 and res['output_shapes'] == [(1, 1000)]
    x = torch.randn(3, 3, 96, 96, generator=torch.Generator().manual_seed(5))
    got = ort_session(out).run(None, {'input': x.numpy()})[0]
    with torch.no_grad():
        np.testing.assert_allclose(got, model(x).numpy(), atol=1e-4, rtol=0)


def test_config_and_weights_to_onnx(a0_weights, tmp_path):
    path, _ = a0_weights
    res = pytorch2onnx.main([str(A0_CONFIG), str(path), '--out', str(tmp_path / 'a0.onnx'),
                             '--shape', '64', '80'])
    assert res['output_shapes'] == [(1, 1000)]


def test_backbone_only_taps_from_a_detector_config(tmp_path):
    out = tmp_path / 'atomnas_a_backbone.onnx'
    res = pytorch2onnx.main([str(FPN_DEMO), '--random-init', '--backbone-only', '--out', str(out),
                             '--shape', '64'])
    # The config's out_indices (1, 2, 4, 7): strides 4, 8, 16, 32.
    assert [o.name for o in ort_session(out).get_outputs()] == ['feat1', 'feat2', 'feat4', 'feat7']
    assert [s[2] for s in res['output_shapes']] == [16, 8, 4, 2]


def test_bad_inputs_fail_clearly(a0_weights, tmp_path):
    path, _ = a0_weights
    with pytest.raises(SystemExit, match=r"does not fit the model: .* missing keys"):
        pytorch2onnx.main(['attentivenas_a1', str(path), '--out', str(tmp_path / 'x.onnx')])
    search_cfg = REPO / 'configs' / 'atomnas' / 'atomnas-a-search_demo.py'
    with pytest.raises(SystemExit, match='export the searched net first with tools/export.py'):
        pytorch2onnx.main([str(search_cfg), '--random-init', '--out', str(tmp_path / 'x.onnx')])
    with pytest.raises(SystemExit):  # argparse: a checkpoint or --random-init
        pytorch2onnx.main(['attentivenas_a0', '--out', str(tmp_path / 'x.onnx')])
