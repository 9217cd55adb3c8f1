"""The timing runners compute what the module computes on every backend
(onnxruntime included), and bad settings fail naming the field."""
import numpy as np
import pytest
import torch

from nas_backbones.ops.latency_probe import probe_from_key
from nas_backbones.ops.timing import TimingConfig, make_runner, measure_ms, timing_context

KEYS = ['mbconv:16:64:24:5:2:32:16:1', 'classifier:96:64:10:2:swish', 'atom_cat:8:3@20',
        'atom_tail:16:8:1:4:swish@24']


@pytest.mark.parametrize('key', KEYS)
def test_onnxruntime_runner_computes_the_module(key):
    module, shape = probe_from_key(key)
    outs = {}
    for backend in ('torch', 'onnxruntime'):
        cfg = TimingConfig(backend=backend, batch=2, threads=1, warmup=0, repeats=1)
        with timing_context(cfg):
            out = make_runner(module, shape, cfg)()
        outs[backend] = out[0] if isinstance(out, list) else out.numpy()
    np.testing.assert_allclose(outs['onnxruntime'], outs['torch'], atol=1e-4, rtol=1e-4)
    assert outs['torch'].shape[0] == 2


def test_measure_restores_threads_and_reports_ms():
    before = torch.get_num_threads()
    module, shape = probe_from_key(KEYS[0])
    ms = measure_ms(module, shape, TimingConfig(threads=1, warmup=1, repeats=3, clock='cpu'))
    assert ms > 0 and torch.get_num_threads() == before


def test_bad_settings_name_the_field():
    with pytest.raises(ValueError, match='clock: cpu time needs device cpu and threads 1'):
        TimingConfig(clock='cpu', threads=2)
    with pytest.raises(ValueError, match=r"backend: 'tvm' not in"):
        TimingConfig(backend='tvm')
    with pytest.raises(ValueError, match='repeats: must be >= 1'):
        TimingConfig(repeats=0)
