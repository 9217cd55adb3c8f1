"""Fine-grained fixtures, read by mmpretrain's fine-grained dataset classes."""
import colorsys
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for tools/

from mmpretrain.datasets import Flowers102, Food101, StanfordCars  # noqa: E402

from tools.data._sources import load_source, upscale  # noqa: E402
from tools.data.build_finegrained_demo import (DATASETS,  # noqa: E402
                                               build_finegrained_demo, main,
                                               select_images)

CLASSES, PER_CLASS, SIZE = 3, 6, 24
# Per class, every third image is test and, for Flowers-102, the one before
# it val: with 6 per class that is 2 of each (cars/food: 4 train, 2 test).
# The last field is the number of class names the class carries: mmpretrain
# 1.2's Flowers102 has no METAINFO, so configs set num_classes=102 themselves.
SPLITS = {
    'flowers102': (Flowers102, dict(train=2, val=2, test=2, trainval=4), 0),
    'stanford_cars': (StanfordCars, dict(train=4, test=2), 196),
    'food101': (Food101, dict(train=4, test=2), 101),
}


@pytest.fixture(scope='module')
def out(tmp_path_factory):
    return build_finegrained_demo(
        tmp_path_factory.mktemp('finegrained'), 'all', classes=CLASSES,
        per_class=PER_CLASS, size=SIZE)


def standardise(gray):
    """Flatten the last two axes to zero mean and unit norm."""
    flat = np.asarray(gray, float).reshape(*np.shape(gray)[:-2], -1)
    flat = flat - flat.mean(-1, keepdims=True)
    return flat / np.linalg.norm(flat, axis=-1, keepdims=True)


@pytest.fixture(scope='module')
def sources():
    """The builder's draw, upscaled and standardised per image.

    Shape (CLASSES, PER_CLASS, SIZE * SIZE), in the builder's label order.
    """
    indices, _ = select_images(CLASSES, PER_CLASS, 'fashion_mnist', seed=0)
    pool = load_source('fashion_mnist', 'train')
    return standardise([[upscale(pool.images[i], SIZE) for i in row]
                        for row in indices])


def drawn_class(img_path, sources):
    """The class of the drawn source image that the image shows.

    The tint is per image, so the gray levels (per-pixel max over channels)
    are compared with every image the builder drew; the best match must be
    clearly the same picture.
    """
    gray = np.asarray(Image.open(img_path).convert('RGB')).max(-1)
    corr = sources @ standardise(gray)
    label, _ = np.unravel_index(np.argmax(corr), corr.shape)
    assert corr.max() > 0.9
    return int(label)


def mean_hue(img_path):
    """Hue (0-1) of the mean colour of an image's bright pixels."""
    pixels = np.asarray(Image.open(img_path).convert('RGB')).reshape(-1, 3)
    pixels = pixels / 255
    return colorsys.rgb_to_hsv(*pixels[pixels.max(1) > 0.4].mean(0))[0]


CASES = [(name, split) for name, (_, splits, _) in SPLITS.items()
         for split in splits]


@pytest.mark.parametrize('name,split', CASES,
                         ids=[f'{n}-{s}' for n, s in CASES])
def test_split_counts_and_labels(out, sources, name, split):
    dataset_cls, splits, num_classes = SPLITS[name]
    dataset = dataset_cls(data_root=str(out / name), split=split)
    assert len(dataset) == CLASSES * splits[split]
    assert len(dataset.CLASSES or ()) == num_classes
    labels = []
    for info in dataset.load_data_list():
        assert Path(info['img_path']).is_file()
        assert isinstance(info['gt_label'], int)
        # The image shows the source class that the label was built from, so
        # a wrong 1-based -> 0-based shift or shuffled labels would show here.
        assert drawn_class(info['img_path'], sources) == info['gt_label']
        labels.append(info['gt_label'])
    assert sorted(labels) == sorted(list(range(CLASSES)) * splits[split])


@pytest.mark.parametrize('name', DATASETS)
def test_colour_carries_no_label_information(out, name):
    dataset_cls, splits, _ = SPLITS[name]
    hues = {}
    for split in splits:
        if split == 'trainval':
            continue
        for info in dataset_cls(data_root=str(out / name),
                                split=split).load_data_list():
            hues.setdefault(info['gt_label'], []).append(
                mean_hue(info['img_path']))
    assert sorted(hues) == list(range(CLASSES))
    for label_hues in hues.values():
        # Each class shows clearly different colours (a third of the wheel
        # or more apart), so colour cannot tell the classes apart.
        spread = max(min(abs(a - b) % 1, 1 - abs(a - b) % 1)
                     for a in label_hues for b in label_hues)
        assert spread > 1 / 3


@pytest.mark.parametrize('name', DATASETS)
def test_splits_are_disjoint_and_cover_all(out, name):
    dataset_cls, splits, _ = SPLITS[name]
    paths = {
        split: {i['img_path'] for i in dataset_cls(
            data_root=str(out / name), split=split).load_data_list()}
        for split in splits if split != 'trainval'}
    union = set().union(*paths.values())
    assert len(union) == sum(map(len, paths.values())) == CLASSES * PER_CLASS


def test_food101_uses_real_class_names(out):
    dataset = Food101(data_root=str(out / 'food101'), split='train')
    folders = {p.name for p in (out / 'food101' / 'images').iterdir()}
    assert folders == set(dataset.CLASSES[:CLASSES])
    assert 'apple_pie' in folders


def test_single_dataset_goes_to_out(tmp_path):
    build_finegrained_demo(tmp_path, 'flowers102', classes=2, per_class=3,
                           size=16)
    assert (tmp_path / 'imagelabels.mat').is_file()
    assert len(Flowers102(data_root=str(tmp_path), split='val')) == 2


def test_rebuild_is_idempotent_and_other_args_refused(out):
    mat = out / 'flowers102' / 'setid.mat'
    before = mat.stat().st_mtime_ns
    build_finegrained_demo(out, 'all', classes=CLASSES, per_class=PER_CLASS,
                           size=SIZE)
    assert mat.stat().st_mtime_ns == before
    with pytest.raises(FileExistsError, match='out'):
        build_finegrained_demo(out, 'food101', classes=CLASSES)


BAD_ARGS = [(dict(dataset='cub200'), 'dataset'), (dict(classes=1), 'classes'),
            (dict(classes=11), 'classes'), (dict(per_class=2), 'per_class'),
            (dict(size=2), 'size'), (dict(source='food'), 'source')]


@pytest.mark.parametrize('kwargs,name', BAD_ARGS,
                         ids=[str(kw) for kw, _ in BAD_ARGS])
def test_bad_argument_is_named(tmp_path, kwargs, name):
    with pytest.raises(ValueError, match=f'^{name}: '):
        build_finegrained_demo(tmp_path / 'x', **{'dataset': 'all', **kwargs})


def test_cli(tmp_path, capsys):
    main(['--out', str(tmp_path), '--dataset', 'stanford_cars', '--classes',
          '2', '--per-class', '3', '--size', '16', '--source', 'digits'])
    assert 'stanford_cars' in capsys.readouterr().out
    assert len(StanfordCars(data_root=str(tmp_path), split='test')) == 2
