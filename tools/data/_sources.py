"""Real grayscale images for the demo-data builders, and helpers they share.

The builders make small but real datasets without network access:
Fashion-MNIST comes from Debian's ``dataset-fashion-mnist`` package (idx-ubyte
files, gzipped), and scikit-learn's bundled 8x8 digits are available when a
caller asks for them explicitly (``source='digits'``); one is never swapped for
the other silently. The builders tint each image with a colour drawn per
image (:func:`random_colours`), never per class: a class colour would give
the label away, and a classifier would learn the colour, not the objects.
"""
import colorsys
import gzip
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional, Union

import numpy as np
from PIL import Image

FASHION_MNIST_DIR = Path('/usr/share/datasets/fashion-mnist')
# Fashion-MNIST's ten labels, made safe for folder and class-file names
# (the original 'T-shirt/top' has a slash).
FASHION_MNIST_CLASSES = ('t_shirt_top', 'trouser', 'pullover', 'dress', 'coat',
                         'sandal', 'shirt', 'sneaker', 'bag', 'ankle_boot')
DIGITS_CLASSES = tuple(f'digit_{i}' for i in range(10))
SOURCES = ('fashion_mnist', 'digits')
SPLITS = ('train', 'test')
MARKER_NAME = '.demo_build.json'


@dataclass(frozen=True)
class GrayImages:
    """Grayscale images with integer labels.

    Args:
        images (np.ndarray): uint8 array of shape (N, H, W), 0 is background.
        labels (np.ndarray): int64 array of shape (N,), 0-based class ids.
        class_names (tuple[str]): name of each class id.
    """
    images: np.ndarray
    labels: np.ndarray
    class_names: tuple


def read_idx(path: Union[str, Path]) -> np.ndarray:
    """Parse an idx-ubyte file (gzipped or not) into a numpy array.

    Args:
        path (str | Path): file in the format of LeCun's MNIST distribution.

    Returns:
        np.ndarray: uint8 array whose shape is the one stored in the header.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == '.gz' else open
    with opener(path, 'rb') as f:
        data = f.read()
    # Header: two zero bytes, a type code (0x08 = unsigned byte), the number
    # of dimensions, then each dimension as a big-endian uint32.
    if data[:2] != b'\x00\x00' or data[2] != 0x08:
        raise ValueError(f'{path}: not an unsigned-byte idx file')
    ndim = data[3]
    shape = tuple(np.frombuffer(data, dtype='>u4', count=ndim, offset=4))
    offset = 4 + 4 * ndim
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(shape)


def _find_idx(root: Path, stem: str) -> Path:
    for name in (f'{stem}.gz', stem):
        if (root / name).is_file():
            return root / name
    raise FileNotFoundError(
        f"Fashion-MNIST file '{stem}(.gz)' not found in {root}. Install "
        "Debian's package: apt-get install dataset-fashion-mnist (or pass "
        "source='digits' to use scikit-learn's bundled digits instead).")


@lru_cache(maxsize=4)
def load_fashion_mnist(split: str = 'train',
                       root: Union[str, Path] = FASHION_MNIST_DIR
                       ) -> GrayImages:
    """Load a Fashion-MNIST split from Debian's ``dataset-fashion-mnist``.

    Args:
        split (str): 'train' (60k images) or 'test' (10k). Defaults to 'train'.
        root (str | Path): folder with the idx-ubyte(.gz) files. Defaults to
            the Debian package's folder.

    Returns:
        GrayImages: 28x28 images and labels.
    """
    if split not in SPLITS:
        raise ValueError(f'split: {split!r} not in {SPLITS}')
    prefix = 'train' if split == 'train' else 't10k'
    root = Path(root)
    images = read_idx(_find_idx(root, f'{prefix}-images-idx3-ubyte'))
    labels = read_idx(_find_idx(root, f'{prefix}-labels-idx1-ubyte'))
    return GrayImages(images, labels.astype(np.int64), FASHION_MNIST_CLASSES)


@lru_cache(maxsize=2)
def load_digits(split: str = 'train') -> GrayImages:
    """Load scikit-learn's bundled 8x8 digits (no download).

    Args:
        split (str): 'train' or 'test'; every fifth image is a test image.
            Defaults to 'train'.

    Returns:
        GrayImages: 8x8 images scaled to 0-255, and labels.
    """
    if split not in SPLITS:
        raise ValueError(f'split: {split!r} not in {SPLITS}')
    from sklearn.datasets import load_digits as sk_load_digits
    digits = sk_load_digits()
    # sklearn stores intensities 0..16 as floats.
    images = np.round(digits.images * (255 / 16)).astype(np.uint8)
    is_test = np.arange(len(images)) % 5 == 0
    keep = is_test if split == 'test' else ~is_test
    return GrayImages(images[keep], digits.target[keep].astype(np.int64),
                      DIGITS_CLASSES)


def load_source(source: str, split: str) -> GrayImages:
    """Load ``split`` of ``source`` ('fashion_mnist' or 'digits').

    Args:
        source (str): one of :data:`SOURCES`.
        split (str): 'train' or 'test'.

    Returns:
        GrayImages: the images of that split.
    """
    if source == 'fashion_mnist':
        return load_fashion_mnist(split)
    if source == 'digits':
        return load_digits(split)
    raise ValueError(f'source: {source!r} not in {SOURCES}')


def pick_per_class(labels: np.ndarray, classes: int, per_class: int,
                   rng: np.random.Generator) -> np.ndarray:
    """Draw ``per_class`` distinct indices of each class ``0..classes-1``.

    Args:
        labels (np.ndarray): label of every image in the pool.
        classes (int): how many classes, from class 0 upwards.
        per_class (int): images drawn for each class.
        rng (np.random.Generator): the only randomness used.

    Returns:
        np.ndarray: indices of shape (classes, per_class).
    """
    picked = []
    for cls in range(classes):
        pool = np.flatnonzero(labels == cls)
        if len(pool) < per_class:
            raise ValueError(f'per_class: {per_class} exceeds the {len(pool)} '
                             f'images of class {cls} in the source split')
        picked.append(rng.choice(pool, size=per_class, replace=False))
    return np.stack(picked)


def upscale(gray: np.ndarray, size: int) -> np.ndarray:
    """Resize a grayscale image to ``size`` x ``size`` with PIL's bicubic.

    Args:
        gray (np.ndarray): uint8 (H, W) image.
        size (int): output side in pixels.

    Returns:
        np.ndarray: uint8 (size, size) image.
    """
    return np.asarray(
        Image.fromarray(gray).resize((size, size), Image.Resampling.BICUBIC))


# Saturation and value of the tint: bright and clearly coloured, and the
# brightest channel of a tinted pixel equals its gray level.
TINT_SATURATION = 0.7
# How images are tinted, recorded with a build's parameters so that a build
# from before (one colour per class, which gave the label away) is refused
# rather than reused.
TINT = 'random_hue_per_image'


def colour_rng(seed: int) -> np.random.Generator:
    """The generator of a builder's tints, separate from its image draw.

    A stream of its own keeps the image draw (which images of which class)
    the same whether or not colours are drawn, so a test can redo the draw
    from the seed alone.

    Args:
        seed (int): the builder's seed.

    Returns:
        np.random.Generator: a generator seeded from a child of ``seed``.
    """
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])


def random_colours(rng: np.random.Generator, num: int) -> np.ndarray:
    """``num`` bright RGB tints with hues drawn uniformly from ``rng``.

    The tint is drawn per image, never from its class, so that every class
    shows every colour and colour carries no label information.

    Args:
        rng (np.random.Generator): the only randomness used.
        num (int): how many colours.

    Returns:
        np.ndarray: float array of shape (num, 3), values in [0, 255].
    """
    hues = rng.random(num)
    return np.array([colorsys.hsv_to_rgb(h, TINT_SATURATION, 1.0)
                     for h in hues]).reshape(num, 3) * 255


def colourise(gray: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Turn a grayscale image into RGB, tinting it with ``colour``.

    Args:
        gray (np.ndarray): uint8 (H, W) image, 0 is background.
        colour (np.ndarray): RGB tint, 3 values in [0, 255], e.g. one row of
            :func:`random_colours`.

    Returns:
        np.ndarray: uint8 (H, W, 3) image on a black background.
    """
    alpha = gray.astype(np.float32)[..., None] / 255
    return np.round(alpha * np.asarray(colour, np.float32)).astype(np.uint8)


def to_rgb_image(gray: np.ndarray, size: int,
                 colour: np.ndarray) -> Image.Image:
    """Upscale and tint one grayscale image into an RGB PIL image."""
    return Image.fromarray(colourise(upscale(gray, size), colour), 'RGB')


def check_int(name: str, value: int, low: int, high: Optional[int] = None):
    """Raise ValueError naming ``name`` unless ``low <= value <= high``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f'{name}: expected an int, got {value!r}')
    if value < low or (high is not None and value > high):
        bound = f'>= {low}' if high is None else f'in [{low}, {high}]'
        raise ValueError(f'{name}: {value} must be {bound}')


def prepare_out(out: Union[str, Path], params: dict) -> bool:
    """Make ``out`` ready for a build with ``params``; True if already built.

    A marker file records the parameters of the build in ``out``; it is
    written before the first image and marked complete after the last, so a
    re-run with the same parameters skips a complete build and redoes an
    interrupted one. ``out`` must otherwise be new or empty, so that no stale
    files (e.g. extra class folders) mix into a set.

    Args:
        out (str | Path): output folder, created if missing.
        params (dict): JSON-serialisable parameters of the build.

    Returns:
        bool: True if ``out`` already holds a complete build with ``params``.
    """
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise type(err)(f"out: cannot create output folder '{out}' "
                        f'({err.strerror or err})') from err
    if not os.access(out, os.W_OK | os.X_OK):
        raise PermissionError(f"out: output folder '{out}' is not writable")
    marker = out / MARKER_NAME
    if marker.is_file():
        previous = json.loads(marker.read_text())
        if previous['params'] != params:
            raise FileExistsError(
                f"out: '{out}' holds a demo build with other parameters "
                f"{previous['params']}; pick another folder or delete it")
        if previous['complete']:
            return True
    elif any(out.iterdir()):
        raise FileExistsError(f"out: '{out}' is not empty and holds no demo "
                              'build; pick a new or empty folder')
    marker.write_text(json.dumps({'params': params, 'complete': False}))
    return False


def mark_complete(out: Union[str, Path], params: dict) -> None:
    """Record in ``out`` that the build with ``params`` finished."""
    marker = Path(out) / MARKER_NAME
    marker.write_text(json.dumps({'params': params, 'complete': True}))
