"""The ImageNet-layout demo builder, its sources, and mmpretrain reading it."""
import colorsys
import gzip
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for tools/

from mmcv.transforms import LoadImageFromFile  # noqa: E402
from mmpretrain.datasets import ImageNet  # noqa: E402

from tools.data import _sources  # noqa: E402
from tools.data.build_imagenet_demo import (build_imagenet_demo,  # noqa: E402
                                            main, select_images, wnid)

CLASSES, TRAIN, VAL, SIZE = 4, 5, 3, 32


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    return build_imagenet_demo(
        tmp_path_factory.mktemp('imagenet') / 'demo', classes=CLASSES,
        train_per_class=TRAIN, val_per_class=VAL, size=SIZE)


def class_names(root):
    return tuple((root / 'meta' / 'classes.txt').read_text().split())


def check_labels_follow_folders(dataset, per_class):
    labels = [info['gt_label'] for info in dataset.load_data_list()]
    assert sorted(labels) == sorted(list(range(CLASSES)) * per_class)
    for info in dataset.load_data_list():
        assert Path(info['img_path']).parent.name == wnid(info['gt_label'])
        assert Path(info['img_path']).is_file()


@pytest.mark.parametrize('split,per_class', [('train', TRAIN), ('val', VAL)])
def test_ann_file_mode(root, split, per_class):
    dataset = ImageNet(data_root=str(root), ann_file=f'meta/{split}.txt',
                       data_prefix=split, metainfo=dict(
                           classes=class_names(root)))
    assert len(dataset) == CLASSES * per_class
    check_labels_follow_folders(dataset, per_class)


@pytest.mark.parametrize('split,per_class', [('train', TRAIN), ('val', VAL)])
def test_split_argument_finds_meta_ann_file(root, split, per_class):
    dataset = ImageNet(data_root=str(root), split=split,
                       metainfo=dict(classes=class_names(root)))
    assert dataset.ann_file.endswith(f'meta/{split}.txt')
    assert len(dataset) == CLASSES * per_class


@pytest.mark.parametrize('split,per_class', [('train', TRAIN), ('val', VAL)])
def test_folder_scan_mode(root, split, per_class):
    # No ann file: mmpretrain scans class folders, sorted by name, which the
    # wnid-like names keep in label order.
    dataset = ImageNet(data_root=str(root), ann_file='', data_prefix=split,
                       classes=str(root / 'meta' / 'classes.txt'))
    assert len(dataset) == CLASSES * per_class
    assert dataset.CLASSES == class_names(root)
    check_labels_follow_folders(dataset, per_class)


def standardise(gray):
    """Flatten the last two axes to zero mean and unit norm."""
    flat = np.asarray(gray, float).reshape(*np.shape(gray)[:-2], -1)
    flat = flat - flat.mean(-1, keepdims=True)
    return flat / np.linalg.norm(flat, axis=-1, keepdims=True)


def luminance(path):
    """Per-pixel max over channels: the gray level of a tinted pixel."""
    return np.asarray(Image.open(path).convert('RGB')).max(-1)


def mean_hue(path):
    """Hue (0-1) of the mean colour of an image's bright pixels."""
    pixels = np.asarray(Image.open(path).convert('RGB')).reshape(-1, 3) / 255
    return colorsys.rgb_to_hsv(*pixels[pixels.max(1) > 0.4].mean(0))[0]


def hue_distance(a, b):
    """Distance of two hues around the colour wheel, 0-0.5."""
    d = abs(a - b) % 1
    return min(d, 1 - d)


@pytest.mark.parametrize('split,per_class', [('train', TRAIN), ('val', VAL)])
def test_image_shows_the_source_image_of_its_label(root, split, per_class):
    # Colour says nothing about the label, so check the drawing itself: the
    # image's gray levels must match, best of all the split's draws, the
    # source image picked for its label and position. Shuffled labels, an
    # off-by-one in the label or images from the wrong split fail here.
    selected = select_images(CLASSES, TRAIN, VAL, 'fashion_mnist', seed=0)
    pool = _sources.load_source('fashion_mnist',
                                'train' if split == 'train' else 'test')
    sources = standardise([[_sources.upscale(pool.images[i], SIZE)
                            for i in row] for row in selected[split]])
    dataset = ImageNet(data_root=str(root), split=split,
                       metainfo=dict(classes=class_names(root)))
    assert len(dataset) == CLASSES * per_class
    for info in dataset.load_data_list():
        k = int(Path(info['img_path']).stem.rsplit('_', 1)[1])
        corr = sources @ standardise(luminance(info['img_path']))
        best = np.unravel_index(np.argmax(corr), corr.shape)
        assert best == (info['gt_label'], k)
        assert corr[best] > 0.9


def test_colour_carries_no_label_information(tmp_path):
    classes, train, val = 10, 20, 10
    out = build_imagenet_demo(tmp_path / 'c', classes=classes,
                              train_per_class=train, val_per_class=val,
                              size=16)
    hues = {split: np.array([[mean_hue(path) for path in sorted(
        (out / split / wnid(label)).iterdir())] for label in range(classes)])
        for split in ('train', 'val')}
    for label_hues in hues['train']:
        # Every class shows clearly different colours ...
        assert max(hue_distance(a, b) for a in label_hues
                   for b in label_hues) > 0.4
        # ... spread around the wheel: at least 4 of its 6 sectors.
        assert len(set((label_hues * 6).astype(int))) >= 4
    # A colour-only classifier (nearest class-mean hue vector) is at chance.
    def vec(h):
        return np.stack([np.cos(2 * np.pi * h), np.sin(2 * np.pi * h)], -1)

    centroids = vec(hues['train']).mean(1)  # (classes, 2)
    guess = np.argmax(vec(hues['val']) @ centroids.T, -1)
    accuracy = (guess == np.arange(classes)[:, None]).mean()
    assert accuracy < 0.3  # chance is 0.1; a class colour gives 1.0


def test_images_decode_as_rgb(root):
    dataset = ImageNet(data_root=str(root), split='val',
                       metainfo=dict(classes=class_names(root)),
                       pipeline=[LoadImageFromFile()])
    assert dataset[0]['img'].shape == (SIZE, SIZE, 3)


def test_rebuild_same_args_is_a_no_op(root):
    before = (root / 'meta' / 'train.txt').stat().st_mtime_ns
    build_imagenet_demo(root, classes=CLASSES, train_per_class=TRAIN,
                        val_per_class=VAL, size=SIZE)
    assert (root / 'meta' / 'train.txt').stat().st_mtime_ns == before


def test_rebuild_other_args_is_refused(root):
    with pytest.raises(FileExistsError, match='out'):
        build_imagenet_demo(root, classes=CLASSES + 1)


def test_build_with_class_colours_is_refused(tmp_path):
    # A build from before the per-image tint (its marker has no 'tint') gave
    # the label away by colour: it must be rebuilt, not reused.
    old = dict(builder='imagenet', classes=2, train_per_class=2,
               val_per_class=1, size=16, source='fashion_mnist', seed=0)
    (tmp_path / 'old').mkdir()
    (tmp_path / 'old' / _sources.MARKER_NAME).write_text(
        json.dumps(dict(params=old, complete=True)))
    with pytest.raises(FileExistsError, match='delete it'):
        build_imagenet_demo(tmp_path / 'old', classes=2, train_per_class=2,
                            val_per_class=1, size=16)


def test_same_seed_same_images(tmp_path):
    a = build_imagenet_demo(tmp_path / 'a', classes=2, train_per_class=2,
                            val_per_class=1, size=16, seed=3)
    b = build_imagenet_demo(tmp_path / 'b', classes=2, train_per_class=2,
                            val_per_class=1, size=16, seed=3)
    for path in sorted(a.rglob('*.JPEG')):
        assert path.read_bytes() == (b / path.relative_to(a)).read_bytes()


BAD_ARGS = [dict(classes=0), dict(classes=11), dict(train_per_class=0),
            dict(val_per_class=-1), dict(size=4), dict(source='imagenet'),
            dict(seed=1.5)]


@pytest.mark.parametrize('kwargs', BAD_ARGS,
                         ids=[str(kw) for kw in BAD_ARGS])
def test_bad_argument_is_named(tmp_path, kwargs):
    name, = kwargs
    with pytest.raises(ValueError, match=f'^{name}: '):
        build_imagenet_demo(tmp_path / 'x', **kwargs)
    assert not (tmp_path / 'x').exists()


def test_unwritable_out_is_named(tmp_path):
    (tmp_path / 'file').write_text('')
    with pytest.raises(OSError, match='out'):
        build_imagenet_demo(tmp_path / 'file' / 'sub')


def test_cli_builds_from_digits(tmp_path, capsys):
    main(['--out', str(tmp_path / 'd'), '--classes', '3', '--source',
          'digits', '--train-per-class', '2', '--val-per-class', '1',
          '--size', '16'])
    assert str(tmp_path / 'd') in capsys.readouterr().out
    dataset = ImageNet(data_root=str(tmp_path / 'd'), split='train',
                       metainfo=dict(classes=_sources.DIGITS_CLASSES[:3]))
    assert len(dataset) == 6


def test_cli_bad_argument_exits(tmp_path):
    with pytest.raises(SystemExit):
        main(['--out', str(tmp_path / 'x'), '--classes', '12'])


def test_missing_fashion_mnist_names_the_package(tmp_path):
    with pytest.raises(FileNotFoundError, match='dataset-fashion-mnist'):
        _sources.load_fashion_mnist('train', root=tmp_path)


@pytest.mark.parametrize('compress', [True, False], ids=['gz', 'raw'])
def test_read_idx(tmp_path, compress):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    data = bytes([0, 0, 8, 3]) + np.array([2, 3, 4], '>u4').tobytes()
    data += array.tobytes()
    path = tmp_path / ('x.gz' if compress else 'x')
    path.write_bytes(gzip.compress(data) if compress else data)
    np.testing.assert_array_equal(_sources.read_idx(path), array)


def test_fashion_mnist_is_real():
    train = _sources.load_fashion_mnist('train')
    test = _sources.load_fashion_mnist('test')
    assert train.images.shape == (60000, 28, 28)
    assert test.images.shape == (10000, 28, 28)
    assert np.bincount(test.labels).tolist() == [1000] * 10
