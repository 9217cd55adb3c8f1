"""Train an AttentiveNAS accuracy predictor from measured subnet accuracies.

The paper's recipe (docs/methods/attentivenas.md#accuracy-predictor): random
forest, 100 trees, max depth 15, fitted on half of the measured subnets;
Kendall tau on the other half. Input: a
CSV with a column ``encoding`` (31 numbers separated by spaces: resolution,
width[9], depth[7], kernel[7], expand[7]) and a column ``acc`` — the
``evaluated.csv`` that ``tools/search.py`` writes has both. Output: the
pickle-free forest npz that ``ForestPredictor`` / ``AttentiveSampler(score='acc',
predictor=...)`` read. Needs scikit-learn to fit (not to predict).

Example:
    python tools/analysis/train_acc_predictor.py work_dirs/search/evaluated.csv \
        --out work_dirs/my_forest.npz
"""
from __future__ import annotations

import argparse
import csv

import numpy as np


from nas_backbones.samplers.acc_predictor import ForestPredictor, forest_from_sklearn


def kendall_tau(a: np.ndarray, b: np.ndarray) -> float:
    """Kendall tau-b of two rankings (O(n^2); n is ~1000)."""
    da = np.sign(a[:, None] - a[None, :])
    db = np.sign(b[:, None] - b[None, :])
    iu = np.triu_indices(len(a), 1)
    da, db = da[iu], db[iu]
    denom = np.sqrt(float((da != 0).sum()) * float((db != 0).sum()))
    return float((da * db).sum() / denom) if denom else 0.0


def read_measurements(path: str) -> tuple[np.ndarray, np.ndarray]:
    rows = list(csv.DictReader(open(path)))
    if not rows or 'encoding' not in rows[0] or 'acc' not in rows[0]:
        raise ValueError(f"{path}: expected a CSV with columns 'encoding' and 'acc'")
    x = np.array([[float(v) for v in r['encoding'].split()] for r in rows])
    if x.shape[1] != 31:
        raise ValueError(f'{path}: encodings must have 31 numbers, got {x.shape[1]}')
    return x, np.array([float(r['acc']) for r in rows])


def fit(x: np.ndarray, y: np.ndarray, n_trees: int = 100, max_depth: int = 15,
        seed: int = 0) -> ForestPredictor:
    try:
        from sklearn.ensemble import RandomForestRegressor
    except ImportError:
        raise SystemExit('scikit-learn is needed to fit a predictor: pip install scikit-learn')
    model = RandomForestRegressor(n_estimators=n_trees, max_depth=max_depth, random_state=seed)
    model.fit(x.astype(np.float32), y)
    return forest_from_sklearn(model)


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('measurements', help="CSV with 'encoding' and 'acc' columns")
    p.add_argument('--out', required=True, help='forest npz to write')
    p.add_argument('--trees', type=int, default=100)
    p.add_argument('--max-depth', type=int, default=15)
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args(argv)
    x, y = read_measurements(args.measurements)
    order = np.random.default_rng(args.seed).permutation(len(x))
    train, held = order[:len(x) // 2], order[len(x) // 2:]
    forest = fit(x[train], y[train], args.trees, args.max_depth, args.seed)
    tau = kendall_tau(forest.predict(x[held]), y[held])
    # The saved predictor is refitted on all measurements.
    forest = fit(x, y, args.trees, args.max_depth, args.seed)
    forest.save(args.out)
    print(f'{len(x)} subnets: Kendall tau on the held-out half = {tau:.3f}; saved {args.out}')
    return {'kendall_tau': tau, 'out': args.out}


if __name__ == '__main__':
    main()
