"""Build tiny fixtures in the layouts of mmpretrain's fine-grained datasets.

Usage::

    python tools/data/build_finegrained_demo.py --out DIR \
        --dataset flowers102|stanford_cars|food101|all \
        [--classes 5] [--per-class 6] [--size 64] \
        [--source fashion_mnist|digits] [--seed 0]

Images are real (upscaled Fashion-MNIST, each tinted with a hue drawn per
image, independent of its class); class ``c`` of the source becomes label
``c`` (0-based) of the fine-grained set. With ``--dataset all`` each set goes
to ``DIR/<dataset>/``, otherwise to ``DIR``.
Layouts, as mmpretrain 1.2.0's classes read them::

    flowers102/   jpg/image_00001.jpg ...
                  imagelabels.mat  labels: 1-based class of image id 1..N
                  setid.mat        trnid, valid, tstid: 1-based image ids
    stanford_cars/ car_ims/000001.jpg ...
                  cars_annos.mat   annotations: relative_im_path,
                                   class (1-based), test (0/1)
    food101/      images/<class>/<id>.jpg ...
                  meta/train.txt, meta/test.txt  lines '<class>/<id>'
                  meta/classes.txt  the 101 real class names

Per class, every third image goes to test (and, for Flowers-102, the one
before it to val); the rest are train.
"""
import argparse
import sys
from pathlib import Path
from typing import Union

import mat4py
import numpy as np

if __package__ in (None, ''):
    # Run as a script: make `tools.data` importable from the repo root.
    # Appended, not prepended: an installed nas_backbones stays the one imported.
    sys.path.append(str(Path(__file__).resolve().parents[2]))
from tools.data._sources import (SOURCES, TINT, check_int,  # noqa
                                 colour_rng, load_source, mark_complete,
                                 pick_per_class, prepare_out, random_colours,
                                 to_rgb_image)

DATASETS = ('flowers102', 'stanford_cars', 'food101')
MAX_CLASSES = 10  # both sources have ten classes


def select_images(classes: int, per_class: int, source: str, seed: int):
    """Which source images a build draws, and in which order it writes them.

    Args:
        classes (int): classes used.
        per_class (int): images per class.
        source (str): one of :data:`SOURCES`.
        seed (int): the build's seed.

    Returns:
        tuple: an int array (classes, per_class) of indices into the source's
        train split, and the list of ``(label, k)`` in the order of image
        ids; the order is shuffled, so that image ids are not grouped by
        class, as in the real sets.
    """
    rng = np.random.default_rng(seed)
    pool = load_source(source, 'train')
    indices = pick_per_class(pool.labels, classes, per_class, rng)
    pairs = [(label, k) for label in range(classes) for k in range(per_class)]
    return indices, [pairs[i] for i in rng.permutation(len(pairs))]


def _draw(classes: int, per_class: int, size: int, source: str, seed: int):
    """Yield ``(label, k, PIL image)`` for k-th image of each class.

    Images come in the order of :func:`select_images`; each is tinted with
    a colour drawn per image, independent of its label.
    """
    pool = load_source(source, 'train')
    indices, order = select_images(classes, per_class, source, seed)
    colours = random_colours(colour_rng(seed), len(order))
    for (label, k), colour in zip(order, colours):
        yield label, k, to_rgb_image(pool.images[indices[label, k]], size,
                                     colour)


def _split_of(k: int, with_val: bool) -> str:
    """Split of the k-th image of a class: every third one is test."""
    if k % 3 == 2:
        return 'test'
    if with_val and k % 3 == 1:
        return 'val'
    return 'train'


def build_flowers102(out: Path, classes: int, per_class: int, size: int,
                     source: str, seed: int) -> None:
    """Write ``jpg/``, ``imagelabels.mat`` and ``setid.mat`` into ``out``."""
    (out / 'jpg').mkdir(exist_ok=True)
    labels, setid = [], dict(trnid=[], valid=[], tstid=[])
    key = dict(train='trnid', val='valid', test='tstid')
    for image_id, (label, k, image) in enumerate(
            _draw(classes, per_class, size, source, seed), start=1):
        image.save(out / 'jpg' / f'image_{image_id:05d}.jpg', quality=95)
        labels.append(label + 1)  # 1-based, as the real imagelabels.mat
        setid[key[_split_of(k, with_val=True)]].append(image_id)
    mat4py.savemat(str(out / 'imagelabels.mat'), dict(labels=labels))
    mat4py.savemat(str(out / 'setid.mat'), setid)


def build_stanford_cars(out: Path, classes: int, per_class: int, size: int,
                        source: str, seed: int) -> None:
    """Write ``car_ims/`` and ``cars_annos.mat`` into ``out``.

    mmpretrain reads ``cars_annos.mat`` whenever it exists and only falls back
    to the devkit layout without it; this single-file layout holds both
    splits.
    """
    (out / 'car_ims').mkdir(exist_ok=True)
    annos = dict(relative_im_path=[], test=[], **{'class': []})
    for image_id, (label, k, image) in enumerate(
            _draw(classes, per_class, size, source, seed), start=1):
        rel = f'car_ims/{image_id:06d}.jpg'
        image.save(out / rel, quality=95)
        annos['relative_im_path'].append(rel)
        annos['class'].append(label + 1)  # 1-based, as the real file
        annos['test'].append(int(_split_of(k, with_val=False) == 'test'))
    mat4py.savemat(str(out / 'cars_annos.mat'), dict(annotations=annos))


def build_food101(out: Path, classes: int, per_class: int, size: int,
                  source: str, seed: int) -> None:
    """Write ``images/<class>/`` and ``meta/`` into ``out``."""
    # Food101 looks labels up by name in its METAINFO, so the folder names
    # must be the real ones; import late, as only this set needs mmpretrain.
    from mmpretrain.datasets.categories import FOOD101_CATEGORIES
    (out / 'meta').mkdir(exist_ok=True)
    lines = dict(train=[], test=[])
    for image_id, (label, k, image) in enumerate(
            _draw(classes, per_class, size, source, seed), start=100000):
        name = FOOD101_CATEGORIES[label]
        (out / 'images' / name).mkdir(parents=True, exist_ok=True)
        image.save(out / 'images' / name / f'{image_id}.jpg', quality=95)
        lines[_split_of(k, with_val=False)].append(f'{name}/{image_id}')
    for split, split_lines in lines.items():
        (out / 'meta' / f'{split}.txt').write_text('\n'.join(split_lines) +
                                                   '\n')
    (out / 'meta' / 'classes.txt').write_text('\n'.join(FOOD101_CATEGORIES) +
                                              '\n')


BUILDERS = dict(flowers102=build_flowers102,
                stanford_cars=build_stanford_cars,
                food101=build_food101)


def build_finegrained_demo(out: Union[str, Path],
                           dataset: str,
                           classes: int = 5,
                           per_class: int = 6,
                           size: int = 64,
                           source: str = 'fashion_mnist',
                           seed: int = 0) -> Path:
    """Build one fine-grained fixture in ``out``, or all in ``out/<name>``.

    Args:
        out (str | Path): output folder; each data_root must be new, empty
            or an earlier build with the same arguments (then nothing is
            redone).
        dataset (str): 'flowers102', 'stanford_cars', 'food101' or 'all'.
        classes (int): classes used, 2-10. At least 2 so that every split
            holds two or more images: mat4py reads a one-element vector back
            as a scalar, which the mmpretrain readers cannot iterate.
            Defaults to 5.
        per_class (int): images per class, >= 3 so that each class has
            train, (val) and test images. Defaults to 6.
        size (int): image side in pixels, >= 8. Defaults to 64.
        source (str): 'fashion_mnist' or 'digits'. Defaults to
            'fashion_mnist'.
        seed (int): seed of the image draw and of the tints. Defaults to 0.

    Returns:
        Path: ``out``.
    """
    if dataset not in DATASETS + ('all', ):
        raise ValueError(f'dataset: {dataset!r} not in {DATASETS + ("all",)}')
    check_int('classes', classes, 2, MAX_CLASSES)
    check_int('per_class', per_class, 3)
    check_int('size', size, 8)
    check_int('seed', seed, 0)
    if source not in SOURCES:
        raise ValueError(f'source: {source!r} not in {SOURCES}')
    out = Path(out)
    names = DATASETS if dataset == 'all' else (dataset, )
    for name in names:
        root = out / name if dataset == 'all' else out
        params = dict(builder=name, classes=classes, per_class=per_class,
                      size=size, source=source, seed=seed, tint=TINT)
        if not prepare_out(root, params):
            BUILDERS[name](root, classes, per_class, size, source, seed)
            mark_complete(root, params)
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--dataset', required=True,
                        choices=DATASETS + ('all', ))
    parser.add_argument('--classes', type=int, default=5)
    parser.add_argument('--per-class', type=int, default=6)
    parser.add_argument('--size', type=int, default=64)
    parser.add_argument('--source', choices=SOURCES, default='fashion_mnist')
    parser.add_argument('--seed', type=int, default=0)
    return parser


def main(argv=None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        out = build_finegrained_demo(
            args.out, args.dataset, classes=args.classes,
            per_class=args.per_class, size=args.size, source=args.source,
            seed=args.seed)
    except (ValueError, OSError) as err:
        parser.error(str(err))
    print(f'{args.dataset} demo set(s) in {out}')


if __name__ == '__main__':
    main()
