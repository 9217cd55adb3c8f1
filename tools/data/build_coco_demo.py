"""Build a small COCO-format instance-segmentation set of real objects.

Usage::

    python tools/data/build_coco_demo.py --out data/coco_demo \
        [--train-images 64] [--val-images 16] [--canvas 128] \
        [--max-objects 4] [--background noise|plain] \
        [--source fashion_mnist|digits] [--seed 0]

Each image pastes 2..max_objects upscaled Fashion-MNIST objects on a canvas,
each tinted with a hue drawn per object, independent of its class (a class
colour would give the category away). An object's pixels are those of its
upscaled image above MASK_THRESHOLD; later objects occlude earlier ones, so
each pixel belongs to at most one instance and masks never overlap. A fully
hidden object gets no annotation. Layout (the standard one, so only
``data_root`` changes)::

    DIR/train2017/000000000001.jpg ...
    DIR/val2017/000000000001.jpg ...
    DIR/annotations/instances_train2017.json
    DIR/annotations/instances_val2017.json

Masks are compressed RLE (``{'size': [h, w], 'counts': str}``, iscrowd 0),
exact to the pixel, holes included, which polygons are not; mmdet's
``LoadAnnotations(with_mask=True)`` (default ``poly2mask=True``) and
pycocotools read them. Boxes (xywh) and areas come from the masks; category
ids are 1-based in the order of the source's class names.
"""
import argparse
import json
import sys
from pathlib import Path
from typing import List, Sequence, Tuple, Union

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils

if __package__ in (None, ''):
    # Run as a script: make `tools.data` importable from the repo root.
    # Appended, not prepended: an installed nas_backbones stays the one imported.
    sys.path.append(str(Path(__file__).resolve().parents[2]))
from tools.data._sources import (SOURCES, TINT, check_int,  # noqa
                                 load_source, mark_complete, prepare_out,
                                 random_colours, upscale)

MASK_THRESHOLD = 64  # gray level (0-255) above which a pixel is the object
BACKGROUNDS = ('noise', 'plain')
# Object side as a fraction of the canvas: large enough that a 28 px item
# stays recognisable, small enough that several fit with partial overlap.
OBJECT_SCALE = (0.25, 0.55)


def make_background(canvas: int, kind: str,
                    rng: np.random.Generator) -> np.ndarray:
    """A dark (canvas, canvas, 3) uint8 background, plain or noisy."""
    if kind == 'plain':
        return np.full((canvas, canvas, 3), 32, dtype=np.uint8)
    return rng.integers(0, 64, size=(canvas, canvas, 3), dtype=np.uint8)


def compose(background: np.ndarray,
            objects: Sequence[Tuple[np.ndarray, np.ndarray, int, int]]
            ) -> Tuple[np.ndarray, np.ndarray]:
    """Paste objects in order onto a background; later ones occlude.

    Args:
        background (np.ndarray): uint8 (H, W, 3) canvas, left unchanged.
        objects (sequence): ``(gray, colour, x, y)`` per object, where
            ``gray`` is the already upscaled uint8 (s, s) object image,
            ``colour`` its RGB tint (3 values in [0, 255]) and ``(x, y)`` its
            top-left corner; it must lie inside the canvas.

    Returns:
        tuple: the uint8 (H, W, 3) image and an int32 (H, W) instance map
        holding the 1-based index of the object that owns each pixel
        (0 = background).
    """
    image = background.astype(np.float32)
    owner = np.zeros(background.shape[:2], dtype=np.int32)
    for index, (gray, colour, x, y) in enumerate(objects, start=1):
        side_y, side_x = gray.shape
        window = (slice(y, y + side_y), slice(x, x + side_x))
        pixels = gray > MASK_THRESHOLD
        # Blend only the object's own pixels so that no faint halo is left
        # outside its mask.
        alpha = gray.astype(np.float32)[..., None] / 255
        tint = np.asarray(colour, np.float32)
        blended = alpha * tint + (1 - alpha) * image[window]
        image[window][pixels] = blended[pixels]
        owner[window][pixels] = index
    return np.round(image).astype(np.uint8), owner


def instance_annotations(owner: np.ndarray, class_ids: Sequence[int],
                         image_id: int, first_ann_id: int) -> List[dict]:
    """COCO annotations of the visible instances of one composed image.

    Args:
        owner (np.ndarray): instance map returned by :func:`compose`.
        class_ids (sequence[int]): 0-based class id of each pasted object.
        image_id (int): id of the image.
        first_ann_id (int): id of the first annotation returned.

    Returns:
        list[dict]: one annotation per object with visible pixels.
    """
    anns = []
    for index, class_id in enumerate(class_ids, start=1):
        mask = owner == index
        if not mask.any():
            continue  # fully occluded: nothing of it is visible
        rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
        anns.append(dict(
            id=first_ann_id + len(anns), image_id=image_id,
            category_id=class_id + 1,
            segmentation=dict(size=rle['size'],
                              counts=rle['counts'].decode('ascii')),
            area=float(mask_utils.area(rle)),
            bbox=[float(v) for v in mask_utils.toBbox(rle)],
            iscrowd=0))
    return anns


def _sample_objects(pool, canvas: int, max_objects: int,
                    rng: np.random.Generator) -> Tuple[list, List[int]]:
    """Draw 2..max_objects source images with sizes, positions and tints.

    Returns the objects as :func:`compose` takes them and their class ids;
    the tint is drawn per object, independent of its class.
    """
    objects, class_ids = [], []
    for _ in range(rng.integers(2, max_objects + 1)):
        index = rng.integers(len(pool.images))
        side = int(rng.integers(int(canvas * OBJECT_SCALE[0]),
                                int(canvas * OBJECT_SCALE[1]) + 1))
        x, y = (int(v) for v in rng.integers(0, canvas - side + 1, size=2))
        colour = random_colours(rng, 1)[0]
        gray = upscale(pool.images[index], side)
        objects.append((gray, colour, x, y))
        class_ids.append(int(pool.labels[index]))
    return objects, class_ids


def _write_split(out: Path, split: str, num_images: int, canvas: int,
                 max_objects: int, background: str, source: str,
                 rng: np.random.Generator) -> None:
    """Write ``{split}2017/`` images and their instances json."""
    pool = load_source(source, 'train' if split == 'train' else 'test')
    img_dir = out / f'{split}2017'
    img_dir.mkdir(exist_ok=True)
    images, anns = [], []
    for image_id in range(1, num_images + 1):
        objects, class_ids = _sample_objects(pool, canvas, max_objects, rng)
        image, owner = compose(make_background(canvas, background, rng),
                               objects)
        file_name = f'{image_id:012d}.jpg'
        Image.fromarray(image).save(img_dir / file_name, quality=95)
        images.append(dict(id=image_id, file_name=file_name, width=canvas,
                           height=canvas))
        anns += instance_annotations(owner, class_ids, image_id,
                                     len(anns) + 1)
    categories = [dict(id=i + 1, name=name, supercategory='object')
                  for i, name in enumerate(pool.class_names)]
    dataset = dict(
        info=dict(description=f'nas_backbones {source} COCO demo',
                  version='1.0', year=2017),
        licenses=[], images=images, annotations=anns, categories=categories)
    with open(out / 'annotations' / f'instances_{split}2017.json', 'w') as f:
        json.dump(dataset, f)


def build_coco_demo(out: Union[str, Path],
                    train_images: int = 64,
                    val_images: int = 16,
                    canvas: int = 128,
                    max_objects: int = 4,
                    background: str = 'noise',
                    source: str = 'fashion_mnist',
                    seed: int = 0) -> Path:
    """Build a COCO-format instance-segmentation demo set in ``out``.

    Args:
        out (str | Path): output folder (the ``data_root``); created if
            missing, must be new, empty or an earlier build with the same
            arguments (then nothing is redone).
        train_images (int): images in train2017. Defaults to 64.
        val_images (int): images in val2017. Defaults to 16.
        canvas (int): image side in pixels, >= 32. Defaults to 128.
        max_objects (int): most objects pasted per image, >= 2.
            Defaults to 4.
        background (str): 'noise' (dark random pixels) or 'plain' (dark
            gray). Defaults to 'noise'.
        source (str): 'fashion_mnist' or 'digits'. Defaults to
            'fashion_mnist'.
        seed (int): seed of every random draw. Defaults to 0.

    Returns:
        Path: ``out``.
    """
    check_int('train_images', train_images, 1)
    check_int('val_images', val_images, 1)
    check_int('canvas', canvas, 32)
    check_int('max_objects', max_objects, 2)
    check_int('seed', seed, 0)
    if background not in BACKGROUNDS:
        raise ValueError(f'background: {background!r} not in {BACKGROUNDS}')
    if source not in SOURCES:
        raise ValueError(f'source: {source!r} not in {SOURCES}')
    params = dict(builder='coco', train_images=train_images,
                  val_images=val_images, canvas=canvas,
                  max_objects=max_objects, background=background,
                  source=source, seed=seed, tint=TINT)
    out = Path(out)
    if prepare_out(out, params):
        return out
    rng = np.random.default_rng(seed)
    (out / 'annotations').mkdir(exist_ok=True)
    for split, num_images in (('train', train_images), ('val', val_images)):
        _write_split(out, split, num_images, canvas, max_objects, background,
                     source, rng)
    mark_complete(out, params)
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', required=True, help='output data_root')
    parser.add_argument('--train-images', type=int, default=64)
    parser.add_argument('--val-images', type=int, default=16)
    parser.add_argument('--canvas', type=int, default=128)
    parser.add_argument('--max-objects', type=int, default=4)
    parser.add_argument('--background', choices=BACKGROUNDS, default='noise')
    parser.add_argument('--source', choices=SOURCES, default='fashion_mnist')
    parser.add_argument('--seed', type=int, default=0)
    return parser


def main(argv=None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        out = build_coco_demo(
            args.out, train_images=args.train_images,
            val_images=args.val_images, canvas=args.canvas,
            max_objects=args.max_objects, background=args.background,
            source=args.source, seed=args.seed)
    except (ValueError, OSError) as err:
        parser.error(str(err))
    print(f'COCO-format demo set in {out}')


if __name__ == '__main__':
    main()
