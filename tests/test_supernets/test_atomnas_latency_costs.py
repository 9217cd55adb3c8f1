"""AtomNAS with per-atom latency costs: the penalty's c_i are each atom's
marginal latency from the supernet's table (normalised by their mean, as the
FLOPs costs), the predicted latency follows the shrinking net, the shrink
hook and the loss log report it, and a table of another supernet fails."""

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpretrain.structures import DataSample
from nas_conftest import REPO

from nas_backbones.arch import atomnas_supernet_arch
from nas_backbones.engine.hooks.atom_shrink_hook import arch_summary
from nas_backbones.estimators.latency import (LatencyEstimator, LatencyTable, atomnas_space_keys,
                                              parse_key)
from nas_backbones.registry import MODELS
from nas_backbones.supernets import AtomNASSupernet
from tools.analysis import build_latency_lut

SETTING = ((1, 8, 1, 1), (6, 8, 2, 2), (6, 16, 2, 2), (6, 24, 1, 2))
KW = dict(setting=SETTING, resolution=32, num_classes=4, last_channels=32, dropout=0.0)
SETTINGS = dict(device='cpu', backend='torch', batch=1, threads=1, channels_last=False,
                clock='wall', warmup=0, repeats=1, num_classes=4)
# Made-up linear curves: ms = slope x atoms + 0.01, per kind and kernel.
SLOPES = {'atom_expand': 2e-4, 'atom_cat': 1e-5, 'atom_tail': 3e-4}
DW = {3: 1e-5, 5: 3e-5, 7: 6e-5}


def linear_table(tmp_path, **arch_kw):
    supernet = atomnas_supernet_arch(**{**dict(stem_channels=32, kernel_sizes=(3, 5, 7)), **KW,
                                        **arch_kw})
    entries = {}
    for key in atomnas_space_keys(supernet, 5):
        kind, f, atoms = parse_key(key)
        slope = DW[f['kernel']] if kind == 'atom_dw' else SLOPES.get(kind, 0.0)
        entries[key] = 0.01 + slope * atoms if atoms else 0.5
    return LatencyTable('atomnas', supernet.to_dict(), SETTINGS, {}, entries,
                        offset_ms=0.2).save(tmp_path / 'lut.json')


def test_penalty_costs_are_marginal_latencies(tmp_path):
    lut = linear_table(tmp_path)
    net = AtomNASSupernet(**KW, penalty_costs='latency', latency_lut=str(lut))
    shared = SLOPES['atom_expand'] + SLOPES['atom_cat'] + SLOPES['atom_tail']
    per_atom = torch.cat([torch.tensor([shared + DW[k]] * a, dtype=torch.float64)
                          for i in net.searchable_blocks()
                          for k, a in zip(net.blocks[i].kernel_sizes, net.blocks[i].atoms)])
    assert torch.allclose(net.atom_cost_weights.double(), per_atom / per_atom.mean(), rtol=1e-6)
    # The FLOPs that decide a shrink stay FLOPs.
    flops = AtomNASSupernet(**KW)
    assert torch.equal(net.atom_costs(1), flops.atom_costs(1))
    est = LatencyEstimator(lut)
    assert net.predicted_latency() == pytest.approx(est.predict(net.current_arch()))
    before = net.predicted_latency()
    keep = torch.ones(net.blocks[1].num_atoms, dtype=torch.bool)
    keep[:20] = False
    net.shrink({1: keep})
    assert net.predicted_latency() == pytest.approx(est.predict(net.current_arch()))
    assert net.predicted_latency() < before


def test_latency_costs_need_the_supernets_table(tmp_path):
    with pytest.raises(ValueError, match="latency_lut: penalty_costs='latency' needs"):
        AtomNASSupernet(**KW, penalty_costs='latency')
    with pytest.raises(ValueError, match=r"penalty_costs: expected one of \('flops', 'latency', "
                                         r"'uniform'\), got 'params'"):
        AtomNASSupernet(**KW, penalty_costs='params')
    lut = linear_table(tmp_path, stem_channels=16)
    with pytest.raises(ValueError, match=r'measured for another supernet \(stem 16'):
        AtomNASSupernet(**KW, penalty_costs='latency', latency_lut=str(lut))


def test_loss_log_and_shrink_hook_report_latency(tmp_path):
    lut = linear_table(tmp_path)
    with DefaultScope.overwrite_default_scope('nas_backbones'):
        model = MODELS.build(dict(type='AtomNAS', supernet=dict(**KW, penalty_costs='latency',
                                                                latency_lut=str(lut)),
                                  data_preprocessor=dict(num_classes=4)))
    samples = [DataSample().set_gt_label(i % 4) for i in range(2)]
    losses = model.loss(torch.randn(2, 3, 32, 32), samples)
    assert float(losses['latency_ms']) == pytest.approx(model.supernet.predicted_latency())
    summary = arch_summary(model.arch, model.supernet.predicted_latency())
    assert summary.endswith(f'predicted {model.supernet.predicted_latency():.2f} ms')


@pytest.mark.parametrize('name', ['atomnas-a-latency-search_demo.py',
                                  'atomnas-a-latency-search_8xb256_in1k.py'])
def test_latency_search_configs_build(name, tmp_path):
    path = REPO / 'configs' / 'atomnas' / name
    cfg = Config.fromfile(path)
    sn = cfg.model.supernet
    assert sn.penalty_costs == 'latency' and sn.latency_lut.startswith('work_dirs/luts/')
    # The supernet the table tool measures for this config (its --config).
    supernet = build_latency_lut.atomnas_supernet_from_args(build_latency_lut.parse_args(
        ['--space', 'atomnas', '--out', 'unused', '--config', str(path)]))
    entries = {k: 0.01 + (parse_key(k)[2] or 0) * 1e-4 for k in atomnas_space_keys(supernet, 3)}
    lut = LatencyTable('atomnas', supernet.to_dict(), {**SETTINGS, 'num_classes':
                                                       supernet.num_classes}, {}, entries)
    lut.save(tmp_path / 'lut.json')
    cfg.model.supernet.latency_lut = str(tmp_path / 'lut.json')
    with DefaultScope.overwrite_default_scope('nas_backbones'):
        model = MODELS.build(cfg.model)
    assert model.supernet.penalty_costs == 'latency' and model.supernet.predicted_latency() > 0
