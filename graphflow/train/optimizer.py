"""``tf.train.Optimizer``: gradients, slot variables, and update ops that write in place.

An optimizer turns ``(gradient, variable)`` pairs into one update op per variable. Each
update op names its variable and slot variables in attributes (as assignment ops do) and
its kernel updates their arrays in the session's state in place, with numpy ``out=``
ufuncs: training spends its time here, so no update allocates more than one scratch array.

Slots (Adam's moments, momentum accumulators...) are ordinary graphflow Variables named
as TF1 names them (``w/Adam``, ``w/Adam_1``), so ``global_variables_initializer``
initializes them and a Saver saves them.

Ordering: every update op depends on *all* gradient tensors (and on the loss when built by
``minimize``), so no variable changes while a gradient or the reported loss still reads
it, whatever order a runner picks. A ``global_step`` is incremented after all updates.
"""

from .. import dtypes as _dtypes
from ..autodiff import gradients
from ..graph import Tensor, get_default_graph
from ..ops import array_ops
from ..ops.constant_ops import convert_to_tensor
from ..ops.control_flow_ops import group
from ..ops.math_ops import cast
from ..ops.registry import define_op
from ..shapes import as_shape
from ..variables import GraphKeys, Variable


def define_apply_op(op_type, kernel, cost):
    """Registers an update op: inputs ``(grad, *hyperparameters)``, no outputs.

    Its attributes name the variable (``var_name``) and its slots; ``var_shape`` and
    ``var_dtype`` let inference check the gradient against the variable. ``cost`` is the
    number of array passes the kernel makes, for the scheduler.
    """
    define_op(op_type, infer=_apply_infer, kernel=kernel, stateful=True, needs_state=True,
              cost=cost)


def _apply_infer(inputs, attrs):
    grad, *hyper = inputs
    if grad.dtype != attrs["var_dtype"]:
        raise TypeError(
            f"gradient of dtype {grad.dtype.name} for variable {attrs['var_name']} of dtype "
            f"{attrs['var_dtype'].name}"
        )
    if not grad.shape.is_compatible_with(attrs["var_shape"]):
        raise ValueError(
            f"gradient of shape {grad.shape} for variable {attrs['var_name']} of shape "
            f"{attrs['var_shape']}"
        )
    for h in hyper:
        if h.shape.ndims not in (None, 0):
            raise ValueError(f"hyperparameters must be scalars, got shape {h.shape}")
    return []


class Optimizer:
    """Base class: ``minimize = compute_gradients + apply_gradients``.

    Subclasses give ``_hyper_values`` (hyperparameters by name, made tensors by
    ``_prepare`` and read back with ``_hyper``), ``_create_slots``, ``_apply_dense`` and
    optionally ``_finish`` (ops that run after all updates). TF1-style subclasses that
    override ``_prepare`` and keep their own tensors work too.
    """

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking, name):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots = {}  # slot name -> {variable: slot variable}
        self._non_slots = {}  # (name, graph) -> variable, e.g. Adam's beta1_power
        self._hyper_tensors = {}

    def get_name(self):
        return self._name

    # ---- gradients ---------------------------------------------------------------------
    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP,
                          aggregation_method=None, colocate_gradients_with_ops=False,
                          grad_loss=None):
        """``[(gradient, variable)]`` for ``var_list`` (trainable variables by default).

        Gradients are always gated as a whole (TF1's GATE_GRAPH), whatever
        ``gate_gradients`` says: that is what makes updates order-independent.
        """
        loss = _as_loss(loss)
        if var_list is None:
            var_list = loss.graph.get_collection(GraphKeys.TRAINABLE_VARIABLES)
        var_list = list(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        for v in var_list:
            if not isinstance(v, Variable):
                raise TypeError(f"Argument is not a graphflow.Variable: {v!r}")
        grads = gradients(loss, var_list, grad_ys=grad_loss,
                          aggregation_method=aggregation_method)
        return list(zip(grads, var_list, strict=True))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """One op that applies every gradient, then increments ``global_step`` if given."""
        return self._apply(_with_gradients(grads_and_vars), global_step, name, extra_deps=())

    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops=False, name=None,
                 grad_loss=None):
        """Adds ops that compute gradients of ``loss`` and apply them; returns the train op.

        The updates also wait for ``loss``, so ``sess.run([train_op, loss])`` reports the
        loss of the weights before the step, deterministically.
        """
        loss = _as_loss(loss)
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method, grad_loss=grad_loss)
        return self._apply(_with_gradients(grads_and_vars, loss), global_step, name,
                           extra_deps=(loss,))

    def _apply(self, pairs, global_step, name, extra_deps):
        graph = pairs[0][1].graph
        for g, v in pairs:
            if not isinstance(g, Tensor):
                raise TypeError(f"Gradient for {v.name} must be a Tensor, got {g!r}")
        with graph.as_default():
            with graph.control_dependencies(None):
                self._create_slots([v for _, v in pairs])
            with graph.name_scope(name or self._name) as scope:
                self._prepare()
                gate = [g.op for g, _ in pairs] + [t.op for t in extra_deps]
                updates = []
                with graph.control_dependencies(gate):
                    for g, v in pairs:
                        with graph.name_scope("update_" + v.op.name):
                            updates.append(self._apply_dense(g, v))
                finish = self._finish(updates, "update" if global_step is not None
                                      else scope[:-1] + "/")
                if global_step is None:
                    train_op = finish
                else:
                    with graph.control_dependencies([finish]):
                        train_op = _increment(global_step, scope[:-1] + "/")
        train_ops = graph.get_collection_ref(GraphKeys.TRAIN_OP)
        if train_op not in train_ops:
            train_ops.append(train_op)
        return train_op

    def _finish(self, update_ops, name):
        return group(*update_ops, name=name)

    # ---- hyperparameters ---------------------------------------------------------------
    def _prepare(self):
        """Converts every hyperparameter to a tensor, once per apply call, before the
        update ops (so the constants do not inherit the updates' control dependencies).
        """
        self._hyper_tensors = {name: _hyper_tensor(name, value)
                               for name, value in self._hyper_values().items()}

    def _hyper_values(self):
        """Hyperparameters by name: numbers or scalar tensors (learning-rate schedules)."""
        return {}

    def _hyper(self, name):
        return self._hyper_tensors[name]

    # ---- slots -------------------------------------------------------------------------
    def _zeros_slot(self, var, slot_name, op_name):
        return self._get_or_make_slot(var, 0.0, slot_name, op_name)

    def _get_or_make_slot(self, var, val, slot_name, op_name):
        """The slot ``slot_name`` of ``var``, created the first time as a variable named
        ``<var>/<op_name>`` whose initial value is ``val`` (a tensor of ``var``'s shape, or
        a number to fill it with). TF1 names, so user subclasses of Optimizer work.
        """
        slots = self._slots.setdefault(slot_name, {})
        slot = slots.get(var)
        if slot is None:
            graph = var.graph
            with graph.name_scope(""):
                if not isinstance(val, Tensor):
                    val = array_ops.fill(as_shape(var.shape).as_list(),
                                         convert_to_tensor(val, dtype=var.dtype))
                slot = Variable(val, trainable=False, name=f"{var.op.name}/{op_name}")
            slots[var] = slot
        return slot

    def _create_non_slot_variable(self, initial_value, name, colocate_with):
        """A per-graph variable of the optimizer (such as ``beta1_power``), made once."""
        graph = colocate_with.graph
        key = (name, graph)
        var = self._non_slots.get(key)
        if var is None:
            with graph.name_scope(""):
                if isinstance(initial_value, Tensor):
                    value = cast(initial_value, colocate_with.dtype)
                else:
                    value = float(initial_value)
                var = Variable(value, trainable=False, name=name, dtype=colocate_with.dtype)
            self._non_slots[key] = var
        return var

    def _get_non_slot_variable(self, name, graph=None):
        graph = graph or get_default_graph()
        return self._non_slots.get((name, graph))

    def get_slot(self, var, name):
        return self._slots.get(name, {}).get(var)

    def get_slot_names(self):
        return sorted(self._slots)

    def variables(self):
        """The optimizer's own variables: slots and non-slot variables, in creation order."""
        found = [v for slots in self._slots.values() for v in slots.values()]
        found += list(self._non_slots.values())
        return sorted(found, key=lambda v: v.op._index)

    def _create_slots(self, var_list):
        """Creates the slot variables the update rule needs (none by default)."""

    def _apply_dense(self, grad, var):
        raise NotImplementedError(f"{type(self).__name__} must define _apply_dense")


def apply_attrs(var, **state_vars):
    """The attributes of an update op of ``var``: the names of the variable and of the
    other variables its kernel updates or reads (slots, Adam's powers), each under a key
    ending in ``var_name``, so tools that rename variables (graph import under a scope)
    know which attributes to rewrite.
    """
    attrs = {"var_name": var.op.name, "var_shape": as_shape(var.shape),
             "var_dtype": var.dtype}
    attrs.update({f"{key}_var_name": v.op.name for key, v in state_vars.items()})
    return attrs


def _with_gradients(grads_and_vars, loss=None):
    """The pairs that have a gradient; an error naming the variables when none has."""
    grads_and_vars = tuple(grads_and_vars)
    if not grads_and_vars:
        raise ValueError("No variables provided.")
    pairs = [(g, v) for g, v in grads_and_vars if g is not None]
    if not pairs:
        raise ValueError(
            "No gradients provided for any variable, check your graph for ops that do not "
            f"support gradients, between variables {[v.name for _, v in grads_and_vars]} "
            f"and loss {loss if loss is not None else ''}."
        )
    return pairs


def _hyper_tensor(name, value):
    """A scalar float tensor for a hyperparameter; update kernels read it as a float.

    A variable (a learning rate the user assigns) is read once here, outside the updates'
    control dependencies, rather than once per update op.
    """
    if isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
        tensor = convert_to_tensor(value)
        if tensor.op.type == "VariableV2":
            tensor = array_ops.identity(tensor, name=name)
        return tensor if tensor.dtype.is_floating else cast(tensor, _dtypes.float32)
    return convert_to_tensor(float(value), dtype=_dtypes.float32, name=name)


def _as_loss(loss):
    if callable(loss) and not isinstance(loss, Tensor):
        loss = loss()
    return convert_to_tensor(loss)


def _increment(global_step, name):
    """``global_step += 1`` as an op named ``name``."""
    if not isinstance(global_step, Variable):
        raise TypeError(f"global_step must be a Variable, got {global_step!r}")
    return global_step.assign_add(1, name=name).op
