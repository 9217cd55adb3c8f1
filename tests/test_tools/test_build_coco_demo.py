"""The COCO-format demo builder, read back by pycocotools and mmdet."""
import colorsys
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for tools/

from mmcv.transforms import LoadImageFromFile  # noqa: E402
from mmdet.datasets import CocoDataset  # noqa: E402
from mmdet.datasets.transforms import LoadAnnotations  # noqa: E402

from tools.data._sources import FASHION_MNIST_CLASSES  # noqa: E402
from tools.data.build_coco_demo import (MASK_THRESHOLD,  # noqa: E402
                                        build_coco_demo, compose,
                                        instance_annotations, main)

TRAIN, VAL, CANVAS = 6, 4, 96


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    return build_coco_demo(tmp_path_factory.mktemp('coco') / 'demo',
                           train_images=TRAIN, val_images=VAL, canvas=CANVAS)


def load(root, split):
    return COCO(str(root / 'annotations' / f'instances_{split}2017.json'))


@pytest.mark.parametrize('split,num', [('train', TRAIN), ('val', VAL)])
def test_pycocotools_loads_split(root, split, num):
    coco = load(root, split)
    assert len(coco.getImgIds()) == num
    assert [c['name'] for c in coco.loadCats(coco.getCatIds())] == list(
        FASHION_MNIST_CLASSES)
    for img in coco.loadImgs(coco.getImgIds()):
        with Image.open(root / f'{split}2017' / img['file_name']) as image:
            assert image.size == (img['width'], img['height'])
            assert image.mode == 'RGB'
        assert coco.getAnnIds(imgIds=img['id'])  # every image has objects


@pytest.mark.parametrize('split', ['train', 'val'])
def test_masks_do_not_overlap_and_match_boxes(root, split):
    coco = load(root, split)
    for img_id in coco.getImgIds():
        anns = coco.loadAnns(coco.getAnnIds(imgIds=img_id))
        masks = np.stack([coco.annToMask(ann) for ann in anns])
        assert masks.sum(0).max() == 1  # each pixel has one owner at most
        for ann, mask in zip(anns, masks):
            assert ann['iscrowd'] == 0
            assert ann['area'] == mask.sum() > 0
            ys, xs = np.nonzero(mask)
            x, y, w, h = ann['bbox']
            assert (x, y) == (xs.min(), ys.min())
            assert (w, h) == (xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)


def test_compose_occlusion_cuts_earlier_mask():
    bg = np.zeros((20, 20, 3), np.uint8)
    square = np.full((10, 10), 200, np.uint8)
    ring = square.copy()
    ring[3:7, 3:7] = MASK_THRESHOLD  # a hole: at the threshold is background
    red, green = np.array([255, 0, 0]), np.array([0, 255, 0])
    image, owner = compose(bg, [(square, red, 2, 2), (ring, green, 6, 6)])
    anns = instance_annotations(owner, [0, 1], image_id=1, first_ann_id=5)
    first, second = (mask_utils.decode(ann['segmentation']) for ann in anns)
    expected_second = np.zeros((20, 20), np.uint8)
    expected_second[6:16, 6:16] = 1
    expected_second[9:13, 9:13] = 0
    expected_first = np.zeros((20, 20), np.uint8)
    expected_first[2:12, 2:12] = 1
    expected_first[expected_second == 1] = 0
    np.testing.assert_array_equal(second, expected_second)
    np.testing.assert_array_equal(first, expected_first)
    assert [a['id'] for a in anns] == [5, 6]
    assert [a['category_id'] for a in anns] == [1, 2]
    assert anns[1]['bbox'] == [6.0, 6.0, 10.0, 10.0]
    assert (image[owner == 0] == 0).all()  # nothing drawn outside the masks
    # Each object is drawn in the colour it was given, scaled by its gray.
    np.testing.assert_array_equal(image[3, 3], [200, 0, 0])
    np.testing.assert_array_equal(image[14, 14], [0, 200, 0])


def test_fully_hidden_object_gets_no_annotation():
    bg = np.zeros((8, 8, 3), np.uint8)
    small, big = np.full((2, 2), 255, np.uint8), np.full((6, 6), 255, np.uint8)
    white = np.full(3, 255.0)
    _, owner = compose(bg, [(small, white, 2, 2), (big, white, 1, 1)])
    anns = instance_annotations(owner, [3, 4], image_id=1, first_ann_id=1)
    assert [a['category_id'] for a in anns] == [5]


def test_masks_cover_the_drawn_objects(tmp_path):
    root = build_coco_demo(tmp_path / 'plain', train_images=1, val_images=3,
                           canvas=64, background='plain')
    coco = load(root, 'val')
    for img in coco.loadImgs(coco.getImgIds()):
        anns = coco.loadAnns(coco.getAnnIds(imgIds=img['id']))
        union = sum(coco.annToMask(ann) for ann in anns).astype(bool)
        image = np.asarray(Image.open(root / 'val2017' / img['file_name']))
        # The plain background is gray 32; JPEG blurs edges, so compare the
        # clearly drawn pixels only, and allow them one pixel past a mask
        # (chroma subsampling spreads a saturated tint that far).
        drawn = np.abs(image.astype(int) - 32).max(-1) > 48
        padded = np.pad(union, 1)
        near_union = np.any([padded[1 + dy:1 + dy + union.shape[0],
                                    1 + dx:1 + dx + union.shape[1]]
                             for dy in (-1, 0, 1) for dx in (-1, 0, 1)], 0)
        assert near_union[drawn].all()
        assert (union[drawn]).mean() > 0.95
        assert (~drawn[union]).mean() < 0.1


def test_colour_carries_no_label_information(tmp_path):
    root = build_coco_demo(tmp_path / 'hue', train_images=1, val_images=24,
                           canvas=64, background='plain')
    coco = load(root, 'val')
    hues = {}
    for img in coco.loadImgs(coco.getImgIds()):
        image = np.asarray(Image.open(root / 'val2017' / img['file_name']))
        for ann in coco.loadAnns(coco.getAnnIds(imgIds=img['id'])):
            pixels = image[coco.annToMask(ann).astype(bool)] / 255
            bright = pixels[pixels.max(1) > 0.6]
            if len(bright) >= 10:
                hues.setdefault(ann['category_id'], []).append(
                    colorsys.rgb_to_hsv(*bright.mean(0))[0])
    seen = [h for h in hues.values() if len(h) >= 3]
    assert len(seen) >= 5
    for cat_hues in seen:
        # Objects of one category come in clearly different colours.
        spread = max(min(abs(a - b) % 1, 1 - abs(a - b) % 1)
                     for a in cat_hues for b in cat_hues)
        assert spread > 0.25


def test_mmdet_coco_dataset_reads_val(root):
    dataset = CocoDataset(
        data_root=str(root), ann_file='annotations/instances_val2017.json',
        data_prefix=dict(img='val2017/'),
        metainfo=dict(classes=FASHION_MNIST_CLASSES),
        pipeline=[LoadImageFromFile(),
                  LoadAnnotations(with_bbox=True, with_mask=True)])
    coco = load(root, 'val')
    assert len(dataset) == VAL
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        anns = coco.loadAnns(coco.getAnnIds(imgIds=info['img_id']))
        assert len(info['instances']) == len(anns)
        assert [inst['bbox_label'] for inst in info['instances']] == [
            ann['category_id'] - 1 for ann in anns]
    results = dataset[0]
    anns = coco.loadAnns(coco.getAnnIds(imgIds=results['img_id']))
    assert results['img'].shape == (CANVAS, CANVAS, 3)
    np.testing.assert_array_equal(
        results['gt_masks'].masks, np.stack([coco.annToMask(a) for a in anns]))


def test_rebuild_is_idempotent_and_other_args_refused(root):
    ann = root / 'annotations' / 'instances_val2017.json'
    before = ann.read_bytes()
    build_coco_demo(root, train_images=TRAIN, val_images=VAL, canvas=CANVAS)
    assert ann.read_bytes() == before
    with pytest.raises(FileExistsError, match='out'):
        build_coco_demo(root, train_images=TRAIN + 1)


@pytest.mark.parametrize('kwargs', [
    dict(train_images=0), dict(val_images=0), dict(canvas=16),
    dict(max_objects=1), dict(background='white'), dict(source='coco')],
    ids=['train_images', 'val_images', 'canvas', 'max_objects', 'background',
         'source'])
def test_bad_argument_is_named(tmp_path, kwargs):
    name, = kwargs
    with pytest.raises(ValueError, match=f'^{name}: '):
        build_coco_demo(tmp_path / 'x', **kwargs)


def test_cli(tmp_path, capsys):
    main(['--out', str(tmp_path / 'c'), '--train-images', '1',
          '--val-images', '1', '--canvas', '48', '--source', 'digits'])
    assert 'COCO' in capsys.readouterr().out
    assert len(load(tmp_path / 'c', 'train').getImgIds()) == 1
