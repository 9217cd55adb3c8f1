"""The latency table's keys name exactly the blocks the static nets build, the
estimator sums them, and it runs without torch.

Reference: a table whose entries are each probe module's FLOPs counted by
forward hooks must predict every net's analytic FLOPs (an independent
counter), so keys, probes and the per-block sum agree with the built nets."""
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from nas_conftest import REPO

from nas_backbones.arch import (AttentiveSpace, atomnas_supernet_arch, default_attentive_space,
                                load_arch)
from nas_backbones.estimators import count_cost
from nas_backbones.estimators.hook_count import hook_count
from nas_backbones.estimators.latency import (LatencyEstimator, LatencyTable, atom_grid,
                                              atomnas_block_terms, atomnas_space_keys,
                                              attentive_keys, attentive_space_keys, parse_key,
                                              sample_atomnas_subnet)
from nas_backbones.ops import build_static_classifier
from nas_backbones.ops.latency_probe import probe_from_key

TINY = AttentiveSpace.load(REPO / 'tests' / 'test_supernets' / 'attentivenas_tiny_space.yml')
SETTINGS = dict(device='cpu', backend='torch', batch=1, threads=1, channels_last=False,
                clock='wall', warmup=0, repeats=1, num_classes=1000)
# A small AtomNAS supernet (3 kernel sizes, SE, a residual and a strided block).
SMALL_ATOMNAS = atomnas_supernet_arch(stem_channels=8, setting=((1, 8, 1, 1), (4, 16, 2, 2),
                                                                (4, 24, 1, 2)),
                                      last_channels=64, num_classes=10, resolution=32,
                                      se_ratio=0.5, act='swish')


def probe_flops(key: str) -> int:
    module, shape = probe_from_key(key)
    # Batch 1 at the key's input size: conv/linear MACs (AttentiveNAS convention).
    return hook_count(module, shape[-1], 'attentivenas', in_channels=shape[0]).flops


def flops_table(space: str, config: dict, keys) -> LatencyTable:
    return LatencyTable(space, config, SETTINGS, {}, {k: probe_flops(k) for k in keys},
                        offset_ms=0.0)


def test_attentive_flops_table_predicts_the_analytic_flops():
    table = flops_table('attentivenas', TINY.to_dict(), attentive_space_keys(TINY))
    est = LatencyEstimator(table)
    rng = random.Random(0)
    for arch in [TINY.min_arch(), TINY.max_arch()] + [TINY.sample(rng) for _ in range(20)]:
        assert est.block_sum(arch) == count_cost(arch, space=TINY).flops


def test_published_nets_keys_are_in_the_space_table():
    space = default_attentive_space()
    keys = set(attentive_space_keys(space))
    for name in [f'attentivenas_a{i}' for i in range(7)]:
        arch = load_arch(name)
        missing = set(attentive_keys(arch, space)) - keys
        assert not missing, (name, missing)
    # One entry per distinct block shape of the space, no duplicates.
    assert len(keys) == len(attentive_space_keys(space))


def test_attentive_keys_follow_the_built_blocks():
    arch = load_arch('attentivenas_a0')
    net = build_static_classifier(arch)
    inputs = []
    handles = [b.register_forward_hook(lambda m, i, o: inputs.append(i[0].shape[-1]))
               for b in net.backbone.blocks]
    net.eval()(torch.zeros(1, 3, arch.resolution, arch.resolution))
    for h in handles:
        h.remove()
    mb = [parse_key(k)[1] for k in attentive_keys(arch) if k.startswith('mbconv:')]
    assert len(mb) == len(net.backbone.blocks)
    for f, block, hw in zip(mb, net.backbone.blocks, inputs):
        assert (f['cin'], f['cout'], f['mid'], f['kernel'], f['stride'], f['hw']) == (
            block.in_channels, block.out_channels, block.dw.conv.in_channels,
            block.dw.conv.kernel_size[0], block.stride, hw)
        assert f['se_hidden'] == (block.se.reduce.out_channels if hasattr(block.se, 'reduce')
                                  else 0)
        probe, _ = probe_from_key(make_mbconv_key(f))
        assert [p.shape for p in probe.parameters()] == [p.shape for p in block.parameters()]


def make_mbconv_key(f):
    return 'mbconv:' + ':'.join(str(f[n]) for n in ('cin', 'mid', 'cout', 'kernel', 'stride', 'hw',
                                                    'se_hidden', 'expansion'))


def test_atomnas_flops_table_predicts_the_analytic_flops():
    # Conv FLOPs are linear in the atom count, so interpolating between the
    # grid points is exact: any shrunk net's FLOPs come out.
    table = flops_table('atomnas', SMALL_ATOMNAS.to_dict(), atomnas_space_keys(SMALL_ATOMNAS, 5))
    est = LatencyEstimator(table)
    rng = random.Random(0)
    for arch in [SMALL_ATOMNAS] + [sample_atomnas_subnet(SMALL_ATOMNAS, rng) for _ in range(20)]:
        assert est.block_sum(arch) == pytest.approx(
            count_cost(arch, convention='attentivenas').flops, rel=1e-12)


def test_atomnas_terms_hold_the_blocks_parameters():
    arch = sample_atomnas_subnet(SMALL_ATOMNAS, random.Random(3))
    net = build_static_classifier(arch)
    for block, terms in zip(net.backbone.blocks, atomnas_block_terms(arch)):
        n = sum(p.numel() for k, a in terms for p in probe_from_key(f'{k}@{a}')[0].parameters())
        assert n == sum(p.numel() for p in block.parameters())


def test_atom_costs_are_the_slopes_of_the_curves():
    keys = atomnas_space_keys(SMALL_ATOMNAS, 6)
    slope = {'atom_expand': 0.01, 'atom_dw': 0.002, 'atom_cat': 0.0005, 'atom_tail': 0.02}
    entries = {k: (slope[parse_key(k)[0]] * parse_key(k)[2] + 0.1 if '@' in k else 1.0)
               for k in keys}
    est = LatencyEstimator(LatencyTable('atomnas', SMALL_ATOMNAS.to_dict(), SETTINGS, {}, entries))
    costs = est.atom_costs(SMALL_ATOMNAS)
    assert sorted(costs) == [1, 2, 3]  # the searchable blocks
    for per_kernel in costs.values():
        for ms in per_kernel.values():
            assert ms == pytest.approx(0.01 + 0.002 + 0.0005 + 0.02)


def test_atom_grid_spans_the_range():
    assert atom_grid(576)[0] == 1 and atom_grid(576)[-1] == 576
    assert atom_grid(3, 12, 2) == [2, 3]
    assert all(g % 8 == 0 for g in atom_grid(576)[1:-1] if g > 12)


def test_missing_entry_names_the_key_and_the_tool(tmp_path):
    keys = attentive_space_keys(TINY)
    table = LatencyTable('attentivenas', TINY.to_dict(), SETTINGS, {}, {k: 1.0 for k in keys[1:]})
    path = table.save(tmp_path / 'lut.json')
    est = LatencyEstimator(path)
    arch = next(a for a in (TINY.sample(random.Random(i)) for i in range(100))
                if keys[0] in attentive_keys(a, TINY))
    with pytest.raises(KeyError, match=rf"{tmp_path}.*no entry '{keys[0]}'.*build_latency_lut"):
        est.predict(arch)
    with pytest.raises(ValueError, match='built for AttentiveNAS, got an AtomNAS arch'):
        est.predict(load_arch('atomnas_a'))


def test_table_file_round_trip_and_bad_files(tmp_path):
    keys = attentive_space_keys(TINY)
    table = LatencyTable('attentivenas', TINY.to_dict(), SETTINGS, {'cpu': 'x'},
                         {k: 0.5 for k in keys}, offset_ms=1.25)
    path = table.save(tmp_path / 'lut.json')
    est = LatencyEstimator(path)
    arch = TINY.max_arch()
    assert est.predict(arch) == pytest.approx(0.5 * len(attentive_keys(arch, TINY)) + 1.25)
    data = json.loads(path.read_text())
    data['format'] = 'flops_table'
    (tmp_path / 'bad.json').write_text(json.dumps(data))
    with pytest.raises(ValueError, match='bad.json: format: not a latency table'):
        LatencyTable.load(tmp_path / 'bad.json')
    del data['settings']['batch']
    data['format'] = 'nas_backbones.latency_lut'
    (tmp_path / 'bad2.json').write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"bad2.json: settings: missing field\(s\) \['batch'\]"):
        LatencyTable.load(tmp_path / 'bad2.json')
    with pytest.raises(FileNotFoundError, match='build_latency_lut.py --out'):
        LatencyTable.load(tmp_path / 'none.json')


def test_prediction_needs_no_torch(tmp_path):
    keys = attentive_space_keys(TINY)
    path = LatencyTable('attentivenas', TINY.to_dict(), SETTINGS, {},
                        {k: 0.5 for k in keys}).save(tmp_path / 'lut.json')
    code = ("import sys; sys.modules['torch'] = None\n"
            "import random\n"
            "from nas_backbones.estimators.latency import LatencyEstimator\n"
            f"est = LatencyEstimator({str(path)!r})\n"
            "space = est.table.attentive_space()\n"
            "print(round(est.predict(space.sample(random.Random(0))), 3))\n")
    out = subprocess.run([sys.executable, '-c', code], cwd=REPO, capture_output=True, text=True,
                         env={'PYTHONPATH': str(REPO), 'PATH': '/usr/bin:/bin'})
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) > 0
