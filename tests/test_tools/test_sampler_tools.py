"""tools/analysis/build_flops_table.py and train_acc_predictor.py."""
import csv
import random

import numpy as np
import pytest

from nas_backbones.arch import default_attentive_space
from nas_backbones.samplers import FlopsPriorSampler, FlopsTable, ForestPredictor
from tools.analysis import build_flops_table, train_acc_predictor


def test_build_flops_table_tool(tmp_path):
    out = tmp_path / 'table.npz'
    build_flops_table.main(['--out', str(out), '--num-samples', '500'])
    table = FlopsTable.load(out)
    assert len(table.flops) == 500
    FlopsPriorSampler(rng=random.Random(0), table=str(out)).sample()


def test_kendall_tau():
    a = np.array([1.0, 2.0, 3.0, 4.0])
    assert train_acc_predictor.kendall_tau(a, a) == pytest.approx(1.0)
    assert train_acc_predictor.kendall_tau(a, -a) == pytest.approx(-1.0)


def test_train_acc_predictor_tool(tmp_path):
    pytest.importorskip('sklearn')
    space, rng = default_attentive_space(), random.Random(0)
    truth = ForestPredictor.load()
    path = tmp_path / 'measured.csv'
    with path.open('w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['encoding', 'acc'])
        for _ in range(200):
            g = space.sample(rng).encode()
            w.writerow([' '.join(map(str, g)), f'{truth.predict(g):.4f}'])
    res = train_acc_predictor.main([str(path), '--out', str(tmp_path / 'f.npz'), '--trees', '10'])
    assert res['kendall_tau'] > 0.5
    assert ForestPredictor.load(tmp_path / 'f.npz').num_trees == 10
