"""tools/analysis/benchmark_latency.py times every (backend, batch) in
interleaved rounds and reports each, or why it could not run. Tiny settings,
no timing asserted (figures: benchmarks/RESULTS.md, on a quiet machine)."""
import json

import pytest

from nas_conftest import REPO
from tools.analysis import benchmark_latency

QUICK = ['--shape', '32', '--warmup', '0', '--repeats', '2', '--rounds', '2', '--threads', '1']


def test_reports_each_backend_and_batch(tmp_path, capsys):
    out = tmp_path / 'bench.json'
    report = benchmark_latency.main(['attentivenas_a0', '--backends', 'torch', 'onnxruntime',
                                     '--batch', '1', '2', *QUICK, '--json', str(out)])
    rows = report['results']
    assert [(r['backend'], r['batch']) for r in rows] == [
        ('torch', 1), ('torch', 2), ('onnxruntime', 1), ('onnxruntime', 2)]
    assert all(len(r['round_medians_ms']) == 2 and r['median_ms'] > 0 for r in rows)
    assert all(r['images_per_s'] == pytest.approx(r['batch'] * 1e3 / r['median_ms']) for r in rows)
    assert json.loads(out.read_text())['environment']['onnxruntime']
    table = capsys.readouterr().out
    assert '| onnxruntime | 2 |' in table and 'threads 1' in table


def test_backbone_only(capsys):
    report = benchmark_latency.main(['atomnas_a', '--backbone-only', '--backends', 'torch',
                                     '--batch', '1', *QUICK])
    assert report['backbone_only'] and report['results'][0]['median_ms'] > 0


@pytest.mark.slow
def test_torch_compile_backend():
    report = benchmark_latency.main(['attentivenas_a0', '--backends', 'torch_compile', '--batch',
                                     '1', *QUICK])
    row = report['results'][0]
    assert 'median_ms' in row or row['error']  # measured, or the reason it is unavailable


def test_zoo_latency_table_and_plot(tmp_path):
    from tools.analysis import zoo_latency
    report = zoo_latency.main(['--configs', str(REPO / 'configs'),
                               '--names', 'atomnas_a', 'attentivenas_a0', '--backends', 'torch',
                               'onnxruntime', '--warmup', '0', '--repeats', '1', '--rounds', '1',
                               '--out-dir', str(tmp_path)])
    nets = {n['arch']: n for n in report['nets']}
    # Top-1 and resolution come from the metafiles, FLOPs from the estimator.
    assert (nets['atomnas_a']['top1'], nets['attentivenas_a0']['top1']) == (74.6, 77.3)
    assert nets['attentivenas_a0']['resolution'] == 192 and nets['atomnas_a']['mflops'] == 258.29
    assert all(v > 0 for n in nets.values() for v in n['latency'].values())
    table = (tmp_path / 'zoo_latency.md').read_text()
    assert '| AttentiveNAS-A0 | 192 | 203.39 | 77.3 |' in table and 'onnxruntime/b1 (ms)' in table
    assert (tmp_path / 'zoo_latency.png').stat().st_size > 0
