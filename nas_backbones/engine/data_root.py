"""Fail early, in one line, when a config's dataset folder is missing.

Without this check mmpretrain fails deep inside dataset construction (or,
for a folder-scanning dataset, after building the model) with a traceback
that does not say which config key to change.
"""
from __future__ import annotations

import os
from typing import Any, Iterator, Sequence

DEMO_BUILDER = 'tools/data/build_imagenet_demo.py'
DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


class DataRootNotFoundError(FileNotFoundError):
    """A dataset's ``data_root`` does not exist (message is one line)."""


def iter_data_roots(dataset: Any, where: str) -> Iterator[tuple[str, str]]:
    """Yield ``(config key, data_root)`` of a dataset config and of the
    datasets it wraps (``dataset`` of RepeatDataset/ClassBalancedDataset,
    ``datasets`` of ConcatDataset).

    Args:
        dataset: A dataset config (mapping) or anything else (ignored).
        where (str): Config key of ``dataset``, for the message.
    """
    if not hasattr(dataset, 'get'):
        return
    root = dataset.get('data_root')
    if isinstance(root, str) and root:
        yield f'{where}.data_root', root
    inner = dataset.get('dataset')
    if inner is not None:
        yield from iter_data_roots(inner, f'{where}.dataset')
    for i, child in enumerate(dataset.get('datasets') or ()):
        yield from iter_data_roots(child, f'{where}.datasets[{i}]')


def check_data_roots(cfg: Any, dataloaders: Sequence[str] = DATALOADERS) -> None:
    """Raise DataRootNotFoundError naming the first missing ``data_root``.

    Args:
        cfg: The mmengine Config (or mapping) about to be run.
        dataloaders (Sequence[str]): Dataloader keys the run will build
            (tools/train.py: train and val; tools/test.py: test).

    Raises:
        DataRootNotFoundError: one line naming the config key, the path, and
            the command that builds the demo set there.
    """
    for key in dataloaders:
        loader = cfg.get(key)
        if not loader:
            continue
        for where, root in iter_data_roots(loader.get('dataset'), f'{key}.dataset'):
            if '://' in root:  # remote storage (s3://, http://): let the backend decide
                continue
            if not os.path.isdir(root):
                raise DataRootNotFoundError(
                    f'dataset folder not found: {where} = {root!r} (from {os.getcwd()}). '
                    f'Build the demo set there with `python {DEMO_BUILDER} --out {root}`, '
                    f'or point data_root at your ImageNet copy.')
