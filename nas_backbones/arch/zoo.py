"""Published architectures shipped as data, and a loader for any arch file.

Sources: AtomNAS-A/B/C from the AtomNAS authors' released model files
(meijieru/AtomNAS ``apps/searched/models/atomnas_*.yml``); AttentiveNAS A0-A6
and the search space from facebookresearch/AttentiveNAS
(``configs/eval_attentive_nas_models.yml`` and
``configs/train_attentive_nas_models.yml``). The + variants are the same
architectures with Swish and SE 0.5 (docs/methods/atomnas.md#plus-variants).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Union

from .atomnas_arch import AtomNetArch
from .attentive_arch import AttentiveArch, AttentiveSpace
from .common import read_mapping

ZOO_DIR = Path(__file__).resolve().parent / 'zoo'
Arch = Union[AtomNetArch, AttentiveArch]


def zoo_names() -> list[str]:
    return sorted(p.stem for p in ZOO_DIR.glob('*.yml') if p.stem != 'attentivenas_space')


def arch_from_dict(data: dict) -> Arch:
    """Build the right arch class from a mapping ('type' key, or the shape of
    the published files)."""
    kind = data.get('type')
    if kind is None:
        kind = 'atomnas' if 'inverted_residual_setting' in data else (
            'attentivenas' if 'resolution' in data and 'width' in data else None)
    if kind == 'atomnas':
        return AtomNetArch.from_dict(data)
    if kind == 'attentivenas':
        return AttentiveArch.from_dict(data)
    raise ValueError(f"type: unknown architecture type {kind!r}; expected 'atomnas' or "
                     f"'attentivenas' (or the keys of one of those formats)")


def load_arch(name_or_path: Union[str, Path, dict, Arch]) -> Arch:
    """Load an arch from a zoo name ('atomnas_a', 'attentivenas_a0', ...), a
    file path, or a mapping. Arch objects pass through unchanged."""
    if isinstance(name_or_path, (AtomNetArch, AttentiveArch)):
        return name_or_path
    if isinstance(name_or_path, dict):
        return arch_from_dict(name_or_path)
    key = str(name_or_path)
    zoo_file = ZOO_DIR / f'{key}.yml'
    if '/' not in key and zoo_file.is_file():
        path = zoo_file
    else:
        path = Path(key)
        if not path.is_file():
            raise FileNotFoundError(
                f'arch: {key!r} is neither an architecture file nor a zoo name; zoo: {zoo_names()}')
    try:
        return arch_from_dict(read_mapping(path))
    except ValueError as e:
        raise ValueError(f'{path}: {e}') from None


@lru_cache(maxsize=1)
def default_attentive_space() -> AttentiveSpace:
    """The published AttentiveNAS search space; cached, it is immutable."""
    return AttentiveSpace.load(ZOO_DIR / 'attentivenas_space.yml')
