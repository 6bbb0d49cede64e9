"""``tf.train.ExponentialMovingAverage``: shadow variables that trail trained ones.

Evaluating a model with averaged weights is a classic TF1 recipe (the CIFAR-10 tutorial):
``ema.apply(vars)`` after each step, then restore the shadows into the model's variables
with ``Saver(ema.variables_to_restore())``.
"""

from .. import dtypes as _dtypes
from ..graph import get_collection, name_scope
from ..ops import math_ops
from ..ops.constant_ops import convert_to_tensor
from ..ops.control_flow_ops import group
from ..variables import GraphKeys, Variable, global_variables, trainable_variables

__all__ = ["ExponentialMovingAverage"]


class ExponentialMovingAverage:
    """Maintains ``shadow -= (1 - decay) * (shadow - variable)`` for each applied variable.

    With ``num_updates`` (usually the global step) the decay is
    ``min(decay, (1 + num_updates) / (10 + num_updates))``, so early averages move faster.
    """

    def __init__(self, decay, num_updates=None, name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._name = name
        self._averages = {}

    @property
    def name(self):
        return self._name

    def apply(self, var_list=None):
        """Creates shadows for ``var_list`` (trainable variables by default) and returns
        the op that updates them all.
        """
        var_list = list(trainable_variables() if var_list is None else var_list)
        for var in var_list:
            self._create_shadow(var)
        with name_scope(self._name) as scope:
            decay = convert_to_tensor(self._decay, dtype=_dtypes.float32, name="decay")
            if self._num_updates is not None:
                steps = math_ops.cast(self._num_updates, _dtypes.float32, name="num_updates")
                decay = math_ops.minimum(decay, (1.0 + steps) / (10.0 + steps))
            updates = []
            for var in var_list:
                shadow = self._averages[var]
                rate = math_ops.cast(1.0 - decay, var.dtype)
                updates.append(shadow.assign_sub((shadow - var) * rate))
            return group(*updates, name=scope[:-1] + "/")

    def _create_shadow(self, var):
        if not var.dtype.is_floating:
            raise TypeError(f"The variables must be half, float, or double: {var.name}")
        if var in self._averages:
            raise ValueError(f"Moving average already computed for: {var.name}")
        graph = var.graph
        with graph.as_default(), graph.name_scope(""), graph.control_dependencies(None):
            # Within one run of the initializers the variable and its shadow share the
            # initial value tensor, so even a random initial value starts them equal.
            initial = var.initial_value if isinstance(var, Variable) else var
            self._averages[var] = Variable(initial, trainable=False,
                                           name=self.average_name(var))
        if isinstance(var, Variable):
            graph.add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)

    def average(self, var):
        """The shadow variable of ``var``, or None if ``apply`` was not called for it."""
        return self._averages.get(var)

    def average_name(self, var):
        return f"{var.op.name}/{self._name}"

    def variables_to_restore(self, moving_avg_variables=None):
        """``{checkpoint name: variable}`` for a Saver that loads each averaged variable
        from its shadow's checkpoint entry, and every other variable under its own name.
        """
        if moving_avg_variables is None:
            moving_avg_variables = (trainable_variables()
                                    + get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES))
        averaged = list(dict.fromkeys(moving_avg_variables))
        result = {self.average_name(v): v for v in averaged}
        for var in global_variables():
            if var not in averaged and var.op.name not in result:
                result[var.op.name] = var
        return result
