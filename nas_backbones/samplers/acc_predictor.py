"""Accuracy predictor over the 31-number encoding: a random forest evaluated
with numpy alone, never unpickled (docs/methods/attentivenas.md#accuracy-predictor).

File format (the converted authors' forest, and what
``tools/analysis/train_acc_predictor.py`` writes): npz with the per-tree
arrays ``left``, ``right``, ``feature``, ``threshold``, ``value``
concatenated, and ``tree_offsets`` (n_trees + 1); child indices are local to
their tree; a leaf has ``left == -1``; go left when ``x[feature] <=
threshold``; the prediction is the mean of the trees' leaves.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence, Union

import numpy as np

from ..arch import AttentiveArch
from ..arch.common import existing_file
from ..arch.zoo import ZOO_DIR

DEFAULT_FOREST = ZOO_DIR / 'attentivenas_acc_predictor_forest.npz'
FOREST_KEYS = ('left', 'right', 'feature', 'threshold', 'value', 'tree_offsets')


class ForestPredictor:
    """Vectorised random-forest regressor (all trees and samples at once).

    Args:
        left, right (np.ndarray): Local child indices; -1 at leaves.
        feature (np.ndarray): Split feature per node.
        threshold (np.ndarray): Split threshold per node.
        value (np.ndarray): Node value (used at leaves).
        tree_offsets (np.ndarray): Start of each tree, plus the total.
    """

    def __init__(self, left, right, feature, threshold, value, tree_offsets):
        offsets = np.asarray(tree_offsets, dtype=np.int64)
        left, right = np.asarray(left, np.int64), np.asarray(right, np.int64)
        n = offsets[-1]
        if any(len(a) != n for a in (left, right, feature, threshold, value)):
            raise ValueError(f'forest: every node array must have tree_offsets[-1] = {n} entries')
        tree_of = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
        self.is_leaf = left < 0
        base = offsets[tree_of]
        # Global child ids; a leaf points to itself so extra steps are no-ops.
        self.left = np.where(self.is_leaf, np.arange(n), left + base)
        self.right = np.where(self.is_leaf, np.arange(n), right + base)
        self.feature = np.where(self.is_leaf, 0, np.asarray(feature, np.int64))
        self.threshold = np.asarray(threshold, np.float64)
        self.value = np.asarray(value, np.float64).reshape(n)
        self.roots = offsets[:-1]
        self.raw = dict(left=left, right=right, feature=np.asarray(feature, np.int64),
                        threshold=self.threshold, value=self.value, tree_offsets=offsets)
        self.depth = self._max_depth()

    @property
    def num_trees(self) -> int:
        return len(self.roots)

    def _max_depth(self) -> int:
        nodes, depth = self.roots.copy(), 0
        while True:
            inner = nodes[~self.is_leaf[nodes]]
            if inner.size == 0:
                return depth
            nodes, depth = np.concatenate([self.left[inner], self.right[inner]]), depth + 1

    @classmethod
    def load(cls, path: Union[str, Path] = DEFAULT_FOREST) -> 'ForestPredictor':
        path = existing_file(path, 'accuracy predictor')
        with np.load(path, allow_pickle=False) as d:
            missing = [k for k in FOREST_KEYS if k not in d.files]
            if missing:
                raise ValueError(f'{path}: not a forest file, missing arrays {missing}')
            return cls(*(d[k] for k in FOREST_KEYS))

    def save(self, path: Union[str, Path]) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **self.raw)
        return path

    def predict(self, x: Union[np.ndarray, Sequence], chunk: int = 8192) -> np.ndarray:
        """Predictions for encodings ``x`` of shape (n, 31) (or one encoding)."""
        x = np.asarray(x, dtype=np.float64)
        single = x.ndim == 1
        x = np.atleast_2d(x)
        # sklearn compares float32 features with float64 thresholds.
        x = x.astype(np.float32).astype(np.float64)
        out = np.empty(len(x))
        for s in range(0, len(x), chunk):
            xs = x[s:s + chunk]
            cols = np.arange(len(xs))[None, :]
            nodes = np.repeat(self.roots[:, None], len(xs), axis=1)
            for _ in range(self.depth):
                go_left = xs[cols, self.feature[nodes]] <= self.threshold[nodes]
                nodes = np.where(go_left, self.left[nodes], self.right[nodes])
            out[s:s + chunk] = self.value[nodes].mean(axis=0)
        return out[0] if single else out

    def predict_archs(self, archs: Sequence[AttentiveArch]) -> np.ndarray:
        return self.predict(np.array([a.encode() for a in archs]))


def forest_from_sklearn(model) -> ForestPredictor:
    """Convert a fitted scikit-learn RandomForestRegressor (single output)
    into a ForestPredictor, without loss. Needs no sklearn import here."""
    parts = {k: [] for k in FOREST_KEYS[:-1]}
    offsets = [0]
    for est in model.estimators_:
        t = est.tree_
        parts['left'].append(t.children_left)
        parts['right'].append(t.children_right)
        parts['feature'].append(t.feature)
        parts['threshold'].append(t.threshold)
        parts['value'].append(t.value.reshape(t.node_count, -1)[:, 0])
        offsets.append(offsets[-1] + t.node_count)
    return ForestPredictor(*(np.concatenate(parts[k]) for k in FOREST_KEYS[:-1]),
                           np.array(offsets))
