"""One streaming read-and-write pass over the model's state: the unit of issue 14's "memory speed".

A pass reads and writes every byte of every array in ``State.carried()`` once: each array is viewed as
its raw bytes (a flat ``uint8`` view of the same memory, no copy) and every byte is replaced by itself
XOR a key given at run time.  The key is zero, so the state is left as it was, but numba cannot know
that when it compiles, so neither the loads nor the stores can be dropped.  No byte depends on another,
so LLVM vectorises the loop (wide loads and stores) and it runs as fast as memory streams, not a byte
a cycle.  A pass moves twice the state's bytes (read, then write; ``2 x 395 MiB`` at a million
residents).  The loop is a ``prange``, so a process running two numba threads streams on both cores,
as its week does.

Bytes of the phases' own scratch arrays are not counted: the pass is over the state the model keeps.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def _xor_in_place(raw, key):
    for i in prange(raw.shape[0]):
        raw[i] ^= key


def state_bytes(state) -> int:
    """Bytes of the arrays the state keeps from week to week (``State.carried``)."""
    return sum(array.nbytes for array in state.carried().values())


def raw_views(state) -> list[np.ndarray]:
    """Every state array's bytes as a flat ``uint8`` view of its memory (the arrays are all C-contiguous)."""
    arrays = state.carried()
    if not all(array.flags.c_contiguous for array in arrays.values()):
        raise ValueError("a state array is not C-contiguous: a flat view of it would be a copy")
    return [array.reshape(-1).view(np.uint8) for array in arrays.values()]


def stream_pass(views: list[np.ndarray]) -> None:
    """Read and write every byte of ``views`` once, leaving them unchanged."""
    key = np.uint8(0)
    for raw in views:
        _xor_in_place(raw, key)


def pass_seconds(state, repeats: int = 10) -> float:
    """Mean seconds of one pass over the state, over ``repeats`` passes after an untimed one."""
    views = raw_views(state)
    stream_pass(views)
    started = time.perf_counter()
    for _ in range(repeats):
        stream_pass(views)
    return (time.perf_counter() - started) / repeats
