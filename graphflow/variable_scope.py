"""``tf.variable_scope`` and ``tf.get_variable``: variables named by scope, shared by name.

Each graph holds one variable store (full name -> Variable) and the current
``VariableScope``, as TF1 keeps them in graph collections. ``get_variable`` creates a
variable, or returns the existing one when the scope allows reuse; which of the two is
an error follows TF1's ``reuse`` rules exactly, so models that share weights by calling
the same function twice under ``reuse=True`` (or ``AUTO_REUSE``) behave as in TF1.
"""

import contextlib
import enum

from . import dtypes as _dtypes
from .errors import format_site
from .graph import Tensor, get_default_graph
from .init_ops import glorot_uniform_initializer, zeros_initializer
from .ops.constant_ops import convert_to_tensor
from .ops.control_flow_ops import init_scope
from .shapes import TensorShape, as_shape
from .variables import GraphKeys, Variable

__all__ = [
    "variable_scope", "get_variable", "get_variable_scope", "VariableScope", "AUTO_REUSE",
    "no_regularizer",
]


class _ReuseMode(enum.Enum):
    """Reuse a variable when it exists, create it otherwise."""

    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE

_STORE_KEY = "__variable_store"


class _Store:
    """Per-graph state: the variables made by get_variable, the current scope, and how
    often each scope name was opened (for unique default names)."""

    def __init__(self):
        self.variables = {}
        self.current = VariableScope(None)
        self.scope_counts = {}

    def open_scope(self, name):
        self.scope_counts[name] = self.scope_counts.get(name, 0) + 1

    def close_subscopes(self, name):
        """Forgets the subscopes of ``name``, so re-entering it numbers them afresh."""
        for key in self.scope_counts:
            if key.startswith(name + "/"):
                self.scope_counts[key] = 0


def _store(graph=None):
    ref = (graph or get_default_graph()).get_collection_ref(_STORE_KEY)
    if not ref:
        ref.append(_Store())
    return ref[0]


def no_regularizer(_):
    """A regularizer that adds no loss: turns off a scope's default regularizer."""
    return None


class VariableScope:
    """A scope's variable defaults: name prefix, reuse mode, initializer, regularizer,
    dtype and custom getter. ``original_name_scope`` is the name scope its ops go in."""

    def __init__(self, reuse, name="", initializer=None, regularizer=None,
                 caching_device=None, partitioner=None, custom_getter=None, name_scope="",
                 dtype=_dtypes.float32, use_resource=None, constraint=None):
        if partitioner is not None:
            raise ValueError("graphflow does not partition variables: partitioner must be None")
        self._name = name
        self._reuse = reuse
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = _dtypes.as_dtype(dtype)
        self._use_resource = use_resource
        self._constraint = constraint

    name = property(lambda self: self._name)
    original_name_scope = property(lambda self: self._name_scope)
    reuse = property(lambda self: self._reuse)
    initializer = property(lambda self: self._initializer)
    regularizer = property(lambda self: self._regularizer)
    caching_device = property(lambda self: self._caching_device)
    partitioner = property(lambda self: None)
    custom_getter = property(lambda self: self._custom_getter)
    dtype = property(lambda self: self._dtype)
    use_resource = property(lambda self: self._use_resource)
    constraint = property(lambda self: self._constraint)

    def reuse_variables(self):
        """Turns on reuse for this scope (and scopes opened inside it from now on)."""
        self._reuse = True

    def set_initializer(self, initializer):
        self._initializer = initializer

    def set_regularizer(self, regularizer):
        self._regularizer = regularizer

    def set_dtype(self, dtype):
        self._dtype = _dtypes.as_dtype(dtype)

    def set_caching_device(self, caching_device):
        self._caching_device = caching_device

    def set_custom_getter(self, custom_getter):
        self._custom_getter = custom_getter

    def set_use_resource(self, use_resource):
        self._use_resource = use_resource

    def _child(self, name, reuse, name_scope):
        """A sub-scope inheriting this scope's defaults (and its reuse, once on)."""
        return VariableScope(reuse or self._reuse, name, self._initializer,
                             self._regularizer, self._caching_device, None,
                             self._custom_getter, name_scope, self._dtype,
                             self._use_resource, self._constraint)

    def _copy(self, reuse):
        return VariableScope(reuse or self._reuse, self._name, self._initializer,
                             self._regularizer, self._caching_device, None,
                             self._custom_getter, self._name_scope, self._dtype,
                             self._use_resource, self._constraint)

    def get_variable(self, var_store, name, shape=None, dtype=None, initializer=None,
                     regularizer=None, reuse=None, trainable=None, collections=None,
                     caching_device=None, partitioner=None, validate_shape=True,
                     use_resource=None, custom_getter=None, constraint=None,
                     synchronization=None, aggregation=None):
        """``name`` in this scope, from ``var_store`` (a graph's store), with this scope's
        defaults for the arguments left out. Names ignore the current name scope."""
        if partitioner is not None:
            raise ValueError("graphflow does not partition variables: partitioner must be None")
        full_name = f"{self._name}/{name}" if self._name else name
        getter = _compose_getters(self._custom_getter, custom_getter)
        kwargs = dict(
            shape=shape, dtype=_dtypes.as_dtype(dtype or self._dtype),
            initializer=initializer if initializer is not None else self._initializer,
            regularizer=regularizer if regularizer is not None else self._regularizer,
            reuse=reuse if reuse is not None else self._reuse,
            trainable=True if trainable is None else trainable, collections=collections,
            validate_shape=validate_shape,
            constraint=constraint if constraint is not None else self._constraint)
        with get_default_graph().name_scope(None):
            if getter is not None:
                return getter(var_store.get_variable, full_name, **kwargs)
            return var_store.get_variable(full_name, **kwargs)

    def global_variables(self):
        return self.get_collection(GraphKeys.GLOBAL_VARIABLES)

    def trainable_variables(self):
        return self.get_collection(GraphKeys.TRAINABLE_VARIABLES)

    def local_variables(self):
        return self.get_collection(GraphKeys.LOCAL_VARIABLES)

    def get_collection(self, name):
        scope = self._name + "/" if self._name else ""
        return get_default_graph().get_collection(name, scope)

    def __repr__(self):
        return f"<graphflow.VariableScope '{self._name}' reuse={self._reuse}>"


def _compose_getters(outer, inner):
    """TF1 nests a call's custom getter inside its scope's."""
    if outer is None or inner is None:
        return outer or inner
    return lambda getter, *args, **kwargs: outer(
        lambda *a, **k: inner(getter, *a, **k), *args, **kwargs)


class _VariableStore:
    """Creates and looks up variables of one graph by full name."""

    def __init__(self, store):
        self._store = store

    def get_variable(self, name, shape=None, dtype=_dtypes.float32, initializer=None,
                     regularizer=None, reuse=None, trainable=True, collections=None,
                     validate_shape=True, constraint=None, **unused_getter_kwargs):
        found = self._store.variables.get(name)
        if found is not None:
            return _shared(found, name, shape, dtype, reuse)
        if reuse is True:
            raise ValueError(
                f"Variable {name} does not exist, or was not created with tf.get_variable(). "
                f"Did you mean to set reuse=tf.AUTO_REUSE in VarScope?")
        var = _new_variable(name, shape, _dtypes.as_dtype(dtype), initializer, trainable,
                            collections, validate_shape, constraint)
        self._store.variables[name] = var
        if regularizer is not None:
            graph = var.graph
            with graph.name_scope(None), graph.name_scope(name + "/Regularizer/"):
                loss = regularizer(var)
            if loss is not None:
                graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        return var


def _shared(var, name, shape, dtype, reuse):
    """``var`` for a reusing caller, after TF1's checks."""
    if reuse is None or reuse is False:
        raise ValueError(
            f"Variable {name} already exists, disallowed. Did you mean to set reuse=True or "
            f"reuse=tf.AUTO_REUSE in VarScope? Originally defined at:\n\n"
            f"  {format_site(var.op.source)}")
    if shape is not None and not as_shape(shape).is_compatible_with(var.shape):
        raise ValueError(f"Trying to share variable {name}, but specified shape "
                         f"{as_shape(shape)} and found shape {var.shape}.")
    if dtype is not None and _dtypes.as_dtype(dtype) != var.dtype:
        raise ValueError(f"Trying to share variable {name}, but specified dtype "
                         f"{_dtypes.as_dtype(dtype).name} and found dtype {var.dtype.name}.")
    return var


def _new_variable(name, shape, dtype, initializer, trainable, collections, validate_shape,
                  constraint):
    """Creates variable ``name`` outside any control flow, its initializer ops under
    ``name/Initializer``."""
    from_value = initializer is not None and not callable(initializer)
    if from_value and shape is not None:
        raise ValueError("If initializer is a constant, do not specify shape.")
    if from_value:
        def initial_value():
            with get_default_graph().name_scope("Initializer"):
                if isinstance(initializer, Tensor):
                    return initializer
                return convert_to_tensor(initializer, dtype=dtype)
    else:
        shape = as_shape(shape) if shape is not None else TensorShape(None)
        if not shape.is_fully_defined():
            raise ValueError(f"Shape of a new variable ({name}) must be fully defined, but "
                             f"instead was {shape}.")
        init = initializer if initializer is not None else _default_initializer(name, dtype)
        if isinstance(init, type):
            init = init(dtype=dtype)

        def initial_value():
            with get_default_graph().name_scope("Initializer"):
                return init(shape.as_list(), dtype=dtype, partition_info=None)
    with init_scope():
        return Variable(initial_value=initial_value, trainable=trainable,
                        collections=collections, validate_shape=validate_shape, name=name,
                        dtype=None if from_value else dtype, constraint=constraint)


def _default_initializer(name, dtype):
    """Glorot uniform for floats, zeros for integers and bools, as TF1."""
    if dtype.is_floating:
        return glorot_uniform_initializer()
    if dtype.is_integer or dtype.is_bool:
        return zeros_initializer()
    raise ValueError(f"An initializer for variable {name} of {dtype.name} is required")


def get_variable_scope():
    """The current VariableScope of the default graph."""
    return _store().current


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                 trainable=None, collections=None, caching_device=None, partitioner=None,
                 validate_shape=True, use_resource=None, custom_getter=None, constraint=None,
                 synchronization=None, aggregation=None):
    """Gets the variable ``scope/name`` or creates it, following the scope's reuse mode.

    New variables get ``initializer`` or else the scope's, or else glorot uniform
    (floats) or zeros (integers); a non-callable initializer is the value itself and
    then ``shape`` must be left out. A ``regularizer``'s loss goes to
    ``GraphKeys.REGULARIZATION_LOSSES``.
    """
    store = _store()
    return store.current.get_variable(
        _VariableStore(store), name, shape=shape, dtype=dtype, initializer=initializer,
        regularizer=regularizer, trainable=trainable, collections=collections,
        caching_device=caching_device, partitioner=partitioner,
        validate_shape=validate_shape, use_resource=use_resource,
        custom_getter=custom_getter, constraint=constraint)


class variable_scope:  # noqa: N801 - TF1's public name
    """Opens a variable scope (and, by default, a name scope of the same name).

    ``name_or_scope`` is a string, appended to the current scope, or a VariableScope,
    re-entered with its own name scope. With only ``default_name``, the name is made
    unique (``dense``, ``dense_1``, ...). ``reuse=True`` or ``AUTO_REUSE`` carry over to
    every scope inside; ``reuse=False`` (like None) inherits. Arguments given override
    the scope's defaults for variables made inside.
    """

    def __init__(self, name_or_scope, default_name=None, values=None, initializer=None,
                 regularizer=None, caching_device=None, partitioner=None, custom_getter=None,
                 reuse=None, dtype=None, use_resource=None, constraint=None,
                 auxiliary_name_scope=True):
        if name_or_scope is None and default_name is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if not isinstance(name_or_scope, (str, VariableScope, type(None))):
            raise TypeError(f"VariableScope: name_or_scope must be a string or VariableScope, "
                            f"got {name_or_scope!r}")
        if name_or_scope is None and reuse is True:
            raise ValueError("reuse=True cannot be used without a name_or_scope")
        if partitioner is not None:
            raise ValueError("graphflow does not partition variables: partitioner must be None")
        self._name_or_scope = name_or_scope
        self._default_name = default_name
        self._graph = _graph_of(values)
        self._overrides = {"initializer": initializer, "regularizer": regularizer,
                           "caching_device": caching_device, "custom_getter": custom_getter,
                           "dtype": dtype, "use_resource": use_resource}
        self._constraint = constraint
        self._reuse = None if reuse is False else reuse
        self._auxiliary_name_scope = auxiliary_name_scope
        self._exit_stack = None

    def __enter__(self):
        stack = contextlib.ExitStack()
        try:
            stack.enter_context(self._graph.as_default())
            scope = self._open(stack)
        except BaseException:
            stack.close()
            raise
        self._exit_stack = stack
        return scope

    def __exit__(self, *exc):
        stack, self._exit_stack = self._exit_stack, None
        return stack.__exit__(*exc)

    def _open(self, stack):
        """Enters the name scope, makes the new VariableScope current; ``stack`` undoes
        both (and, for a named scope, resets the counts of its subscopes)."""
        store = _store(self._graph)
        old = store.current
        if isinstance(self._name_or_scope, VariableScope):
            name_scope = self._enter_name_scope(stack, self._name_or_scope.original_name_scope)
            new = self._name_or_scope._copy(self._reuse)
            saved_counts = dict(store.scope_counts)
            stack.callback(lambda: setattr(store, "scope_counts", saved_counts))
        else:
            base = self._name_or_scope
            name_scope = self._enter_name_scope(stack, base or self._default_name)
            if base is None:
                base = _unique_scope_name(store, old, self._default_name)
            new = old._child(f"{old.name}/{base}" if old.name else base, self._reuse,
                             name_scope)
            stack.callback(store.close_subscopes, new.name)
        store.open_scope(new.name)
        self._apply_overrides(new)
        store.current = new
        stack.callback(lambda: setattr(store, "current", old))
        return new

    def _enter_name_scope(self, stack, name):
        """The name scope for ops in the new scope: entered unless auxiliary_name_scope
        is off, in which case the current one is kept."""
        graph = self._graph
        if not self._auxiliary_name_scope:
            current = graph.get_name_scope()
            return current + "/" if current else ""
        return stack.enter_context(graph.name_scope(name or None))

    def _apply_overrides(self, scope):
        setters = {"initializer": scope.set_initializer, "regularizer": scope.set_regularizer,
                   "caching_device": scope.set_caching_device,
                   "custom_getter": scope.set_custom_getter, "dtype": scope.set_dtype,
                   "use_resource": scope.set_use_resource}
        for key, value in self._overrides.items():
            if value is not None:
                setters[key](value)
        if self._constraint is not None:
            scope._constraint = self._constraint


def _unique_scope_name(store, parent, prefix):
    """``prefix``, or ``prefix_N`` with the first N not yet opened under ``parent``."""
    full = f"{parent.name}/{prefix}" if parent.name else prefix
    if store.scope_counts.get(full, 0) == 0:
        return prefix
    index = 1
    while store.scope_counts.get(f"{full}_{index}", 0) > 0:
        index += 1
    return f"{prefix}_{index}"


def _graph_of(values):
    for v in values or ():
        if isinstance(v, Tensor):
            return v.graph
    return get_default_graph()
