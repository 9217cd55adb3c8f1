"""Base class of the architecture samplers (torch-free).

A sampler draws archs from an ``AttentiveSpace`` with an explicit
``random.Random`` (never the global one), and saves that generator's state
in ``state_dict()`` so a resumed run draws the same next arch. The state
is ``RNG_STATE_LEN`` plain ints (no pickled objects), the one encoding of a
generator's state: in JSON (the sampler, the evolution search's
``search_state.json``) and in an int64 model buffer (``AttentiveNAS``).
"""
from __future__ import annotations

import random
import struct
from typing import Optional, Sequence

from ..arch import AttentiveArch, AttentiveSpace, default_attentive_space


RNG_STATE_LEN = 628  # version, 625 state words, has_gauss, gauss bits


def rng_state_ints(rng: random.Random) -> list[int]:
    """The generator's state as ``RNG_STATE_LEN`` ints: JSON-safe, and fits
    an int64 tensor, so it can live in a model buffer that mmengine
    broadcasts and saves."""
    version, internal, gauss = rng.getstate()
    bits = struct.unpack('<q', struct.pack('<d', gauss))[0] if gauss is not None else 0
    return [version, *internal, int(gauss is not None), bits]


def set_rng_state_ints(rng: random.Random, values: Sequence[int]) -> None:
    values = [int(v) for v in values]
    if len(values) != RNG_STATE_LEN:
        raise ValueError(f'rng state: expected {RNG_STATE_LEN} ints, got {len(values)}')
    gauss = struct.unpack('<d', struct.pack('<q', values[-1]))[0] if values[-2] else None
    rng.setstate((values[0], tuple(values[1:-2]), gauss))


class ArchSampler:
    """Draws candidate archs; the algorithm trains one per sandwich slot.

    ``candidates()`` returns the archs to choose from: one for samplers that
    decide alone, ``k`` for attentive sampling scored by the minibatch loss,
    which the algorithm computes and passes to ``select()``.

    Args:
        space (AttentiveSpace, optional): Defaults to the published space.
        rng (random.Random, optional): The generator; defaults to
            ``random.Random(seed)``.
        seed (int): Seed when ``rng`` is not given. Defaults to 0.
    """

    #: What ``select`` ranks: None (nothing to score), 'loss' (lower is better).
    score: Optional[str] = None

    def __init__(self, space: Optional[AttentiveSpace] = None,
                 rng: Optional[random.Random] = None, seed: int = 0):
        self.space = space or default_attentive_space()
        self.rng = rng if rng is not None else random.Random(seed)

    def candidates(self) -> list[AttentiveArch]:
        raise NotImplementedError

    def select(self, scores: Sequence[float]) -> int:
        """Index of the candidate to train (only one candidate: index 0)."""
        if len(scores) != 1:
            raise ValueError(f'{type(self).__name__} draws one candidate, got {len(scores)} scores')
        return 0

    def sample(self) -> AttentiveArch:
        """One arch (for samplers that need no external scores)."""
        cands = self.candidates()
        if len(cands) != 1:
            raise RuntimeError(f'{type(self).__name__} needs minibatch-loss scores: use '
                               f'candidates() and select(losses)')
        return cands[0]

    def state_dict(self) -> dict:
        return {'type': type(self).__name__, 'rng': rng_state_ints(self.rng)}

    def load_state_dict(self, state: dict) -> None:
        if state.get('type') != type(self).__name__:
            raise ValueError(f"sampler state: saved by {state.get('type')!r}, "
                             f'loading into {type(self).__name__}')
        set_rng_state_ints(self.rng, state['rng'])


class UniformSampler(ArchSampler):
    """Every gene uniformly and independently (the uniform sandwich baseline)."""

    def candidates(self) -> list[AttentiveArch]:
        return [self.space.sample(self.rng)]
