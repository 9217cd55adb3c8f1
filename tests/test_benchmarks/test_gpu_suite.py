"""benchmarks/gpu_suite.py: the prepared GPU run must not rot while no GPU is
lent. ``--smoke`` runs every row at tiny sizes on CPU, with OpenMMLab made
unimportable as on the GPU machine (torch + torchvision + nas_backbones'
torch-only layers only); the rows, ratios and JSON must all be there."""
import json

import pytest
from nas_conftest import run_tool

# Runs the suite as `python benchmarks/gpu_suite.py` would (its folder first on
# sys.path), with every OpenMMLab package refused at import.
BLOCKED_RUN = '''
import runpy, sys
class NoOpenMMLab:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('mmengine', 'mmcv', 'mmpretrain', 'mmdet'):
            raise ImportError(f'{name}: OpenMMLab is not on the GPU machine')
sys.meta_path.insert(0, NoOpenMMLab())
sys.path.insert(0, 'benchmarks')
sys.argv = ['benchmarks/gpu_suite.py'] + sys.argv[1:]
runpy.run_path('benchmarks/gpu_suite.py', run_name='__main__')
'''

EAGER_ROWS = {'mobilenet_v2', 'atomnas_supernet', 'atomnas_shrunk_b', 'atomnas_shrunk_a',
              'sandwich', 'static_sum', 'bestup3', 'uniform'}
CONFIGS = ('b2_fp32_contiguous', 'b2_bf16_channels_last')


def run_suite(tmp_path, *args, timeout=600):
    proc = run_tool('-c', BLOCKED_RUN, '--smoke', '--out', str(tmp_path), *args, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout, json.loads((tmp_path / 'gpu_suite.json').read_text())


@pytest.mark.slow
def test_smoke_every_row_without_openmmlab(tmp_path):
    out, data = run_suite(tmp_path)
    assert sorted(data['rows']) == sorted(CONFIGS)
    for cfg in CONFIGS:
        rows = data['rows'][cfg]
        assert set(rows) == EAGER_ROWS
        for row in rows.values():
            assert row['rounds'] == 1 and row['median_ms'] > 0 and row['first_ms'] > 0
            assert len(row['warmup_ms']) == 1
        ratios = data['ratios'][cfg]
        for name in ('sandwich / static_sum', 'atomnas / mbv2', 'bestup3 / uniform',
                     'B / mbv2', 'A / mbv2'):
            assert ratios[name] > 0, name
        assert ratios['atomnas FLOPs ratio'] == pytest.approx(1521.04 / 300.84, rel=1e-3)
    # The markdown tables the device run's reply carries (its last lines).
    assert '| config | row | step ms (median) |' in out
    assert '| config | sandwich / static_sum | sandwich img/s | atomnas / mbv2 |' in out
    assert f'| {CONFIGS[1]} | atomnas_supernet |' in out


def test_budget_skips_configurations_that_do_not_fit(tmp_path):
    """A configuration predicted not to fit is skipped and says so (the GPU
    run must end inside its call), instead of overrunning."""
    _, data = run_suite(tmp_path, '--groups', 'atomnas', '--budget-s', '0')
    assert list(data['rows']) == [CONFIGS[0]]  # the first always runs its minimum
    assert data['notes'][CONFIGS[1]].startswith('skipped: predicted')


@pytest.mark.slow
def test_smoke_compile_rows(tmp_path):
    """--compile (dynamo with the eager backend on CPU: tracing, no codegen)."""
    _, data = run_suite(tmp_path, '--groups', 'compile')
    rows = data['rows'][CONFIGS[1]]
    assert {'sandwich_compiled', 'static_sum_compiled', 'sandwich', 'static_sum'} <= set(rows)
    assert 'compiled / eager sandwich' in data['ratios'][CONFIGS[1]]
    assert 'sandwich_compiled' not in data['rows'][CONFIGS[0]]  # only at --compile-at
