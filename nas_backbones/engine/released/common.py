"""Shared parts of the converters of the authors' released weights: a strict
key-mapping report, file digests and the output checkpoint.

A conversion maps every tensor of the released state dict to exactly one
target key (or merges several into one, e.g. per-branch tensors
concatenated), or drops it only when the authors' model never reads it; the
target must come out complete with the shapes of the model that loads it.
Anything else fails naming the keys.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import torch


@dataclass
class ConversionReport:
    """What a conversion did with each released key.

    ``mapped``: source key -> target key (one to one, possibly reshaped);
    ``merged``: target key -> the source keys concatenated into it;
    ``dropped``: source key -> why the authors' model never reads it.
    """
    mapped: dict = field(default_factory=dict)
    merged: dict = field(default_factory=dict)
    dropped: dict = field(default_factory=dict)

    def summary(self) -> str:
        """Counts, then every dropped key by name, grouped by reason."""
        lines = [f'{len(self.mapped)} tensors mapped one to one, '
                 f'{sum(len(v) for v in self.merged.values())} merged into {len(self.merged)}, '
                 f'{len(self.dropped)} dropped (never used by the authors\' model)']
        by_reason: dict = {}
        for key, why in self.dropped.items():
            by_reason.setdefault(why, []).append(key)
        for why, keys in by_reason.items():
            lines.append(f'  dropped ({why}): {", ".join(keys)}')
        return '\n'.join(lines)

    def to_meta(self) -> dict:
        return {'mapped': len(self.mapped), 'merged': {k: list(v) for k, v in self.merged.items()},
                'dropped': dict(self.dropped)}


class ConversionError(ValueError):
    """The released state dict does not fit the target model (names the keys)."""


def strip_module_prefix(state: dict, where: str) -> dict:
    """Keys without the ``module.`` of (Distributed)DataParallel, which every
    released file has on all of its keys."""
    if not isinstance(state, dict) or not state:
        raise ConversionError(f'{where}: expected a non-empty mapping of tensors')
    prefixed = [k.startswith('module.') for k in state]
    if any(prefixed) and not all(prefixed):
        raise ConversionError(f'{where}: some keys have the "module." prefix and some do not, '
                              f'e.g. {[k for k in state if not k.startswith("module.")][:3]}')
    out = {k[len('module.'):] if k.startswith('module.') else k: v for k, v in state.items()}
    bad = [k for k, v in out.items() if not isinstance(v, torch.Tensor)]
    if bad:
        raise ConversionError(f'{where}: not tensors: {bad[:5]}')
    return out


def check_complete(converted: dict, target: dict, source_keys_left: list, where: str) -> None:
    """Fail unless ``converted`` has exactly ``target``'s keys and shapes and
    no released key was left unaccounted for."""
    problems = []
    if source_keys_left:
        problems.append(f'{len(source_keys_left)} released keys the converter does not know '
                        f'(a different model or format?), e.g. {sorted(source_keys_left)[:8]}')
    missing = [k for k in target if k not in converted]
    if missing:
        problems.append(f'{len(missing)} weights of the target missing from the file, '
                        f'e.g. {missing[:8]}')
    extra = [k for k in converted if k not in target]
    if extra:
        problems.append(f'{len(extra)} converted keys the target does not have, e.g. {extra[:8]}')
    wrong = [f'{k}: file {tuple(converted[k].shape)} vs model {tuple(target[k].shape)}'
             for k in target if k in converted and converted[k].shape != target[k].shape]
    if wrong:
        problems.append(f'{len(wrong)} shape mismatches (is the architecture right?), '
                        f'e.g. {wrong[:5]}')
    if problems:
        raise ConversionError(f'{where}: ' + '; '.join(problems))


def file_digests(path: Union[str, Path]) -> dict:
    """MD5 and SHA-256 of a file (hex), read in chunks."""
    md5, sha = hashlib.md5(), hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            md5.update(chunk)
            sha.update(chunk)
    return {'md5': md5.hexdigest(), 'sha256': sha.hexdigest()}


def source_meta(path: Union[str, Path], family: str, weights: str) -> dict:
    """The ``meta`` entries naming the released file a checkpoint came from."""
    path = Path(path)
    return {'source_file': path.name, 'source_family': family, 'source_weights': weights,
            **{f'source_{k}': v for k, v in file_digests(path).items()}}


def save_checkpoint(path: Union[str, Path], state_dict: dict, meta: dict) -> Path:
    """Write ``{'state_dict', 'meta'}``: tensors and plain values only, so it
    loads with ``torch.load(weights_only=True)`` and mmengine's
    CheckpointLoader (init_cfg ``Pretrained``, ``load_from``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous().clone() for k, v in state_dict.items()}
    # Plain JSON types only (arch dicts hold list subclasses for YAML layout).
    meta = json.loads(json.dumps(meta))
    torch.save({'state_dict': state, 'meta': meta}, path)
    torch.load(path, map_location='cpu', weights_only=True)  # the point of the file
    return path
