"""Loops (registering)."""
from .evolution_search_loop import EvolutionSearchLoop

__all__ = ['EvolutionSearchLoop']
