"""A plain-Mesa implementation of the model's weekly rules, one Python object per resident.

Used to cross-check the numba engine (``tests/test_reference.py``) and as the speed baseline of
``benchmarks/bench_engine.py``; see ``reference/model.py``.
"""

from .model import ReferenceModel, simulate

__all__ = ["ReferenceModel", "simulate"]
