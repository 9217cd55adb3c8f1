"""Helpers shared by the architecture descriptions (torch-free)."""
from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

ACTIVATIONS = ('relu', 'swish')


def make_divisible(value: float, divisor: int = 8, min_value: int | None = None) -> int:
    """Round ``value`` to the nearest multiple of ``divisor`` (MobileNet rule).

    Never goes below ``min_value`` (default ``divisor``) and never rounds down
    by more than 10 %, as in the TF MobileNet and AttentiveNAS code.
    """
    if min_value is None:
        min_value = divisor
    new_value = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if new_value < 0.9 * value:
        new_value += divisor
    return new_value


def check_int_list(name: str, value: Any, length: int | None = None,
                   minimum: int = 1) -> tuple[int, ...]:
    """Return ``value`` as a tuple of ints, raising ValueError naming ``name``."""
    if not isinstance(value, (list, tuple)):
        raise ValueError(f'{name}: expected a list, got {value!r}')
    if length is not None and len(value) != length:
        raise ValueError(f'{name}: expected {length} values, got {len(value)} ({list(value)})')
    out = []
    for i, v in enumerate(value):
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f'{name}[{i}]: expected an int, got {v!r}')
        if v < minimum:
            raise ValueError(f'{name}[{i}]: {v} is below the minimum {minimum}')
        out.append(v)
    return tuple(out)


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f'{name}: {value!r} not in {choices}')
    return value


def check_keys(name: str, data: dict, allowed: Sequence[str], required: Sequence[str] = ()) -> None:
    """Reject unknown keys (typos must not be silently ignored) and missing ones."""
    if not isinstance(data, dict):
        raise ValueError(f'{name}: expected a mapping, got {type(data).__name__}')
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValueError(f'{name}: unknown field(s) {unknown}; allowed: {sorted(allowed)}')
    missing = [k for k in required if k not in data]
    if missing:
        raise ValueError(f'{name}: missing field(s) {missing}')


def existing_file(path: str | Path, what: str, build: str = '') -> Path:
    """``path`` as a Path; FileNotFoundError naming ``what`` (and how to
    ``build`` it) when there is no such file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'{what} not found: {path}' + (f'; build it with `{build}`'
                                                               if build else ''))
    return path


def read_mapping(path: str | Path) -> dict:
    """Read a YAML/JSON file, or a Python-literal dict as the original AtomNAS
    repository writes its architecture files (``'key': value`` with tuples)."""
    path = existing_file(path, 'architecture file')
    text = path.read_text()
    errors = []
    if path.suffix == '.json':
        return json.loads(text)
    if text.lstrip().startswith('{'):
        # The authors' files are str() of a dict: Python literals first, as
        # YAML would read their None as the string 'None'.
        try:
            data = ast.literal_eval(text)
            if isinstance(data, dict):
                return data
        except (ValueError, SyntaxError) as e:
            errors.append(f'not a Python literal ({e.__class__.__name__})')
    try:
        data = yaml.safe_load(text)
        if isinstance(data, dict):
            return data
        errors.append(f'YAML gave {type(data).__name__}, not a mapping')
    except yaml.YAMLError as e:
        errors.append(f'not YAML ({str(e).splitlines()[0]})')
    raise ValueError(f'{path}: cannot parse as an architecture mapping: {"; ".join(errors)}')


class ArchFile:
    """``replace``, ``load`` and ``save`` of the frozen arch dataclasses,
    which define ``from_dict(data, **overrides)`` and ``to_dict()``."""

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)

    @classmethod
    def load(cls, path: str | Path, **overrides):
        return cls.from_dict(read_mapping(path), **overrides)

    def save(self, path: str | Path) -> Path:
        return write_mapping(self.to_dict(), path)


class FlowList(list):
    """A list written on one line in YAML (one arch row per line reads best)."""


class _ArchDumper(yaml.SafeDumper):
    pass


_ArchDumper.add_representer(
    FlowList, lambda dumper, data: dumper.represent_sequence('tag:yaml.org,2002:seq', data,
                                                             flow_style=True))


def write_mapping(data: dict, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == '.json':
        path.write_text(json.dumps(data, indent=2) + '\n')
    else:
        path.write_text(yaml.dump(data, Dumper=_ArchDumper, sort_keys=False, default_flow_style=None))
    return path
