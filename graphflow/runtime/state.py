"""The mutable state a Session owns: variable values and random generators."""

import secrets
import threading

import numpy as np

from ..errors import FailedPreconditionError


class RunState:
    """Variable values by variable name, and one random generator per (seed, seed2).

    Keeping state here, not in the graph, lets one immutable graph serve many sessions,
    each with its own values, as in TF1.
    """

    def __init__(self):
        self.variables = {}
        self._generators = {}
        self._entropy = secrets.randbits(63)  # for ops without seeds
        self._lock = threading.Lock()

    def read(self, name):
        try:
            return self.variables[name]
        except KeyError:
            raise FailedPreconditionError(
                message=f"Attempting to use uninitialized value {name}"
            ) from None

    def generator(self, seed, seed2):
        """The generator for an op's seeds; same seeds give the same stream in any session.

        ``seed=None`` (an op with no graph or op seed) mixes in this session's own entropy,
        so such ops draw different numbers in each session, as in TF1.
        """
        key = (seed, seed2)
        gen = self._generators.get(key)
        if gen is None:
            base = self._entropy if seed is None else seed
            with self._lock:
                gen = self._generators.setdefault(
                    key, np.random.Generator(np.random.PCG64([base, seed2])))
        return gen
