"""django-oscar 4.2.1 as the checkout peer: its own virtual environment, settings and harness.

Nothing here imports Oscar: the driver (benchmarks/checkout.py) calls `ensure_venv` and
`run_harness` from eVillage's environment, and the harness runs under the peer's Python.
"""

from .environment import REQUIREMENTS, ensure_venv, run_harness

__all__ = ["REQUIREMENTS", "ensure_venv", "run_harness"]
