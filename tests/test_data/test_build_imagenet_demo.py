"""The ImageNet-layout demo builder, its sources, and mmpretrain reading it."""
import gzip
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for tools/

from mmcv.transforms import LoadImageFromFile  # noqa: E402
from mmpretrain.datasets import ImageNet  # noqa: E402

from tools.data import _sources  # noqa: E402
from tools.data.build_imagenet_demo import (build_imagenet_demo,  # noqa: E402
                                            main, wnid)

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
