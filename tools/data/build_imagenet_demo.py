"""Build a small ImageNet-layout folder of real images for mmpretrain.

Usage::

    python tools/data/build_imagenet_demo.py --out data/imagenet_demo \
        [--classes 10] [--train-per-class 40] [--val-per-class 10] \
        [--size 64] [--source fashion_mnist|digits] [--seed 0]

Layout (read by ``mmpretrain.datasets.ImageNet`` 1.2.0)::

    DIR/train/n00000000/n00000000_00000.JPEG ...
    DIR/val/n00000000/n00000000_val_00000.JPEG ...
    DIR/meta/train.txt   lines "n00000000/n00000000_00000.JPEG 0"
    DIR/meta/val.txt     lines "n00000000/n00000000_val_00000.JPEG 0"
    DIR/meta/classes.txt one class name per line, in label order

Val keeps class sub-folders (unlike the real flat ``val/``) so that the set
also loads without an ann file, where mmpretrain's ``CustomDataset`` scans
class folders; with ``meta/val.txt`` the paths are relative to ``val/``
either way. Train images come from the source's train split and val images
from its test split, so the two never share an image.
"""
import argparse
import sys
from pathlib import Path
from typing import Union

import numpy as np

if __package__ in (None, ''):
    # Run as a script: make `tools.data` importable from the repo root.
    # Appended, not prepended: an installed nas_backbones stays the one imported.
    sys.path.append(str(Path(__file__).resolve().parents[2]))
from tools.data._sources import (SOURCES, TINT, check_int,  # noqa: E402
                                 colour_rng, load_source, mark_complete,
                                 pick_per_class, prepare_out, random_colours,
                                 to_rgb_image)

MAX_CLASSES = 10  # both sources have ten classes


def wnid(label: int) -> str:
    """Folder name of a label, shaped like an ImageNet WordNet id."""
    return f'n{label:08d}'


def select_images(classes: int, train_per_class: int, val_per_class: int,
                  source: str, seed: int) -> dict:
    """Which source images a build with these arguments draws.

    Args:
        classes (int): number of classes.
        train_per_class (int): train images per class.
        val_per_class (int): val images per class.
        source (str): one of :data:`SOURCES`.
        seed (int): the build's seed.

    Returns:
        dict: for 'train' and 'val', an int array (classes, per_class) of
        indices into the source's train and test split respectively; row
        ``label``, column ``k`` is the image ``wnid(label)_k`` of that split.
    """
    rng = np.random.default_rng(seed)
    selected = {}
    for split, per_class in (('train', train_per_class),
                             ('val', val_per_class)):
        pool = load_source(source, 'train' if split == 'train' else 'test')
        selected[split] = pick_per_class(pool.labels, classes, per_class, rng)
    return selected


def _write_split(out: Path, split: str, source: str, indices: np.ndarray,
                 colours: np.ndarray, size: int, name_tag: str) -> list:
    """Write one split's images; return its ann-file lines.

    ``indices`` and ``colours`` hold, per class and image, the source index
    and the tint; the tints are drawn independently of the class.
    """
    pool = load_source(source, 'train' if split == 'train' else 'test')
    lines = []
    for label in range(len(indices)):
        folder = out / split / wnid(label)
        folder.mkdir(parents=True, exist_ok=True)
        for k, index in enumerate(indices[label]):
            rel = f'{wnid(label)}/{wnid(label)}{name_tag}_{k:05d}.JPEG'
            to_rgb_image(pool.images[index], size, colours[label, k]).save(
                out / split / rel, quality=95)
            lines.append(f'{rel} {label}')
    return lines


def build_imagenet_demo(out: Union[str, Path],
                        classes: int = 10,
                        train_per_class: int = 40,
                        val_per_class: int = 10,
                        size: int = 64,
                        source: str = 'fashion_mnist',
                        seed: int = 0) -> Path:
    """Build an ImageNet-layout demo set of real images in ``out``.

    Args:
        out (str | Path): output folder (the ``data_root``); created if
            missing, must be new, empty or an earlier build with the same
            arguments (then nothing is redone).
        classes (int): number of classes, 1-10. Defaults to 10.
        train_per_class (int): train images per class. Defaults to 40.
        val_per_class (int): val images per class. Defaults to 10.
        size (int): image side in pixels, >= 8. Defaults to 64.
        source (str): 'fashion_mnist' (Debian's dataset-fashion-mnist) or
            'digits' (scikit-learn's 8x8 digits). Defaults to 'fashion_mnist'.
        seed (int): seed of the image draw and of the tints. Defaults to 0.

    Returns:
        Path: ``out``.
    """
    check_int('classes', classes, 1, MAX_CLASSES)
    check_int('train_per_class', train_per_class, 1)
    check_int('val_per_class', val_per_class, 1)
    check_int('size', size, 8)
    check_int('seed', seed, 0)
    if source not in SOURCES:
        raise ValueError(f'source: {source!r} not in {SOURCES}')
    params = dict(builder='imagenet', classes=classes,
                  train_per_class=train_per_class,
                  val_per_class=val_per_class, size=size, source=source,
                  seed=seed, tint=TINT)
    out = Path(out)
    if prepare_out(out, params):
        return out

    selected = select_images(classes, train_per_class, val_per_class, source,
                             seed)
    tints = colour_rng(seed)
    meta = out / 'meta'
    meta.mkdir(exist_ok=True)
    for split, tag in (('train', ''), ('val', '_val')):
        indices = selected[split]
        colours = random_colours(tints, indices.size).reshape(
            *indices.shape, 3)
        lines = _write_split(out, split, source, indices, colours, size, tag)
        (meta / f'{split}.txt').write_text('\n'.join(lines) + '\n')
    class_names = load_source(source, 'train').class_names[:classes]
    (meta / 'classes.txt').write_text('\n'.join(class_names) + '\n')
    mark_complete(out, params)
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', required=True, help='output data_root')
    parser.add_argument('--classes', type=int, default=10)
    parser.add_argument('--train-per-class', type=int, default=40)
    parser.add_argument('--val-per-class', type=int, default=10)
    parser.add_argument('--size', type=int, default=64)
    parser.add_argument('--source', choices=SOURCES, default='fashion_mnist')
    parser.add_argument('--seed', type=int, default=0)
    return parser


def main(argv=None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        out = build_imagenet_demo(
            args.out, classes=args.classes,
            train_per_class=args.train_per_class,
            val_per_class=args.val_per_class, size=args.size,
            source=args.source, seed=args.seed)
    except (ValueError, OSError) as err:
        parser.error(str(err))
    print(f'ImageNet-layout demo set in {out}')


if __name__ == '__main__':
    main()
