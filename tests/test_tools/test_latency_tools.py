"""build_latency_lut.py measures every key of a space, records how and where,
resumes without measuring anything twice and refuses a table measured
otherwise; validate_latency_lut.py measures >= 30 random subnets end to end
and reports the error metrics it computed from them. Tiny settings: the
figures themselves are for a quiet machine (benchmarks/RESULTS.md), so no
bound is asserted on them."""
import csv
import json

import pytest
import torch
from nas_conftest import REPO

from nas_backbones.arch import AttentiveSpace
from nas_backbones.estimators.latency import (LatencyTable, atomnas_space_keys,
                                              attentive_space_keys)
from tools.analysis import build_latency_lut, validate_latency_lut

TINY_SPACE = REPO / 'tests' / 'test_supernets' / 'attentivenas_tiny_space.yml'
QUICK = ['--threads', '1', '--warmup', '1', '--repeats', '2']
ATOMNAS_SMALL = ['--space', 'atomnas', '--setting', '[[1, 8, 1, 1], [4, 16, 1, 2], [4, 24, 1, 2]]',
                 '--stem-channels', '8', '--last-channels', '64', '--num-classes', '10',
                 '--resolution', '32', '--atom-points', '4']


@pytest.fixture(scope='module')
def tiny_lut(tmp_path_factory):
    out = tmp_path_factory.mktemp('lut') / 'tiny.json'
    build_latency_lut.main(['--space', 'attentivenas', '--space-file', str(TINY_SPACE),
                            '--resolutions', '32', '--calib-archs', '3', '--out', str(out), *QUICK])
    return out


def test_table_has_every_key_and_the_record(tiny_lut):
    table = LatencyTable.load(tiny_lut)
    space = AttentiveSpace.from_dict({**AttentiveSpace.load(TINY_SPACE).to_dict(),
                                      'resolutions': [32]})
    assert set(table.entries) == set(attentive_space_keys(space))
    assert all(ms > 0 for ms in table.entries.values())
    assert table.settings == {'device': 'cpu', 'backend': 'torch', 'batch': 1, 'threads': 1,
                              'channels_last': False, 'clock': 'wall', 'warmup': 1,
                              'repeats': 2, 'num_classes': 1000, 'rounds': 1}
    assert table.environment['torch'] == torch.__version__ and table.environment['cpu']
    assert len(table.calibration) == 3
    rows = table.calibration
    assert table.offset_ms == pytest.approx(sorted(r['measured_ms'] - r['sum_ms']
                                                   for r in rows)[1])


def test_resume_measures_only_what_is_missing(tiny_lut, tmp_path, capsys):
    table = LatencyTable.load(tiny_lut)
    keys = sorted(table.entries)
    kept, dropped = keys[::2], keys[1::2]
    partial = LatencyTable(table.space, table.space_config, table.settings, table.environment,
                           {k: 123.0 for k in kept}, rounds={k: [123.0] for k in kept})
    out = partial.save(tmp_path / 'partial.json')
    build_latency_lut.main(['--space', 'attentivenas', '--space-file', str(TINY_SPACE),
                            '--resolutions', '32', '--calib-archs', '0', '--out', str(out), *QUICK])
    assert f'{len(kept)} of {len(keys)} measurements done' in capsys.readouterr().out
    resumed = LatencyTable.load(out)
    assert all(resumed.entries[k] == 123.0 and resumed.rounds[k] == [123.0] for k in kept)
    assert all(resumed.entries[k] != 123.0 and len(resumed.rounds[k]) == 1 for k in dropped)
    # A second round adds one measurement per entry; the entry is the smaller.
    build_latency_lut.main(['--space', 'attentivenas', '--space-file', str(TINY_SPACE),
                            '--resolutions', '32', '--calib-archs', '0', '--rounds', '2',
                            '--out', str(out), *QUICK])
    twice = LatencyTable.load(out)
    assert all(len(v) == 2 and twice.entries[k] == min(v) for k, v in twice.rounds.items())


def test_resume_refuses_other_settings(tiny_lut, tmp_path):
    out = tmp_path / 'lut.json'
    out.write_text(tiny_lut.read_text())
    with pytest.raises(SystemExit, match=r'settings.repeats is 2, this run 3'):
        build_latency_lut.main(['--space', 'attentivenas', '--space-file', str(TINY_SPACE),
                                '--resolutions', '32', '--out', str(out), '--threads', '1',
                                '--warmup', '1', '--repeats', '3'])
    with pytest.raises(SystemExit, match='built for another space'):
        build_latency_lut.main(['--space', 'attentivenas', '--space-file', str(TINY_SPACE),
                                '--resolutions', '40', '--out', str(out), *QUICK])


def test_validation_reports_its_metrics(tiny_lut, tmp_path):
    report = validate_latency_lut.main([str(tiny_lut), '--num-archs', '30', '--speed-archs',
                                        '200', '--out-dir', str(tmp_path)])
    rows = report['rows']
    assert report['num_archs'] == len(rows) == 30
    ape = [abs(r['predicted_ms'] - r['measured_ms']) / r['measured_ms'] * 100 for r in rows]
    assert report['mape_pct'] == pytest.approx(sum(ape) / 30)
    assert report['max_ape_pct'] == pytest.approx(max(ape))
    assert -1 <= report['kendall_tau'] <= 1 and report['predictions_per_s'] > 0
    with (tmp_path / 'validation.csv').open() as f:
        assert len(list(csv.DictReader(f))) == 30
    assert (tmp_path / 'scatter.png').stat().st_size > 0
    assert json.loads((tmp_path / 'validation.json').read_text())['settings']['threads'] == 1


def test_atomnas_table_and_validation(tmp_path):
    out = tmp_path / 'atomnas.json'
    table = build_latency_lut.main([*ATOMNAS_SMALL, '--calib-archs', '2', '--out', str(out),
                                    *QUICK])
    assert set(table.entries) == set(atomnas_space_keys(table.atomnas_supernet(), 4))
    report = validate_latency_lut.main([str(out), '--num-archs', '3', '--speed-archs', '50',
                                        '--out-dir', str(tmp_path / 'val')])
    assert report['space'] == 'atomnas' and len(report['rows']) == 3
