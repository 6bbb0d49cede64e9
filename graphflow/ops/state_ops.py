"""Variables and assignment: ops whose kernels read and write the session's RunState.

Assignment ops name their variable in an attribute rather than taking the variable's
value as an input, so assigning never requires (or triggers) a read of the old value.
"""

import numpy as np

from .. import dtypes as _dtypes
from ..shapes import as_shape
from .op_utils import make
from .registry import define_op

__all__ = ["assign", "assign_add", "assign_sub"]


def _variable_infer(inputs, attrs):
    return attrs["dtype"], attrs["shape"]


def _variable_kernel(state, dtype, shape, var_name):
    return state.read(var_name)


def _read_kernel(state, variable, var_name):
    return state.read(var_name)


# A read of a variable made under control dependencies (``with control_dependencies([a]):
# tf.identity(v)``): it sees the value after those ops ran, as TF1's ref reads do. The
# variable's tensor is its input only so that gradients and pictures see the connection.
define_op("ReadVariable", infer=lambda inputs, attrs: (inputs[0].dtype, inputs[0].shape),
          kernel=_read_kernel, grad=lambda op, g: [g], stateful=True, needs_state=True,
          cost=0.0)

define_op("VariableV2", infer=_variable_infer, kernel=_variable_kernel, stateful=True,
          needs_state=True, cost=0.0, name="Variable")


def _assign_infer(inputs, attrs):
    (value,) = inputs
    if value.dtype != attrs["dtype"]:
        raise TypeError(
            f"cannot assign a {value.dtype.name} value to variable {attrs['var_name']} of "
            f"dtype {attrs['dtype'].name}"
        )
    if attrs["validate_shape"] and not value.shape.is_compatible_with(attrs["shape"]):
        raise ValueError(
            f"cannot assign a value of shape {value.shape} to variable {attrs['var_name']} "
            f"of shape {attrs['shape']}"
        )
    return value.dtype, attrs["shape"] if attrs["validate_shape"] else value.shape


def _assign_kernel(state, value, var_name, dtype, shape, validate_shape):
    value = np.array(value, dtype=dtype.np_dtype, copy=True)
    if validate_shape and shape.dims is not None and not shape.is_compatible_with(value.shape):
        raise ValueError(
            f"cannot assign a value of shape {value.shape} to variable {var_name} of "
            f"shape {shape}"
        )
    state.variables[var_name] = value
    return value


def _assign_update_kernel(sign):
    def kernel(state, delta, var_name, dtype, shape, validate_shape):
        old = state.read(var_name)
        new = old + delta if sign > 0 else old - delta
        state.variables[var_name] = new
        return new

    return kernel


for _type, _kernel in (("Assign", _assign_kernel), ("AssignAdd", _assign_update_kernel(1)),
                       ("AssignSub", _assign_update_kernel(-1))):
    define_op(_type, infer=_assign_infer, kernel=_kernel, stateful=True, needs_state=True)


def assign_op(op_type, variable, value, name=None, validate_shape=True):
    """Builds an Assign/AssignAdd/AssignSub of ``value`` into ``variable``."""
    attrs = {"var_name": variable.op.name, "dtype": variable.dtype,
             "shape": as_shape(variable.shape), "validate_shape": bool(validate_shape)}
    return make(op_type, (value,), attrs, name=name)


define_op("IsVariableInitialized", infer=lambda inputs, attrs: (_dtypes.bool, ()),
          kernel=lambda state, var_name: np.asarray(var_name in state.variables),
          stateful=True, needs_state=True)
define_op("ReportUninitializedVariables", infer=lambda inputs, attrs: (_dtypes.string, (None,)),
          kernel=lambda state, var_names: np.array(
              [n for n in var_names if n not in state.variables], dtype=object),
          stateful=True, needs_state=True)


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """TF1's ``tf.assign(ref, value)``: the op that stores ``value`` into variable ``ref``."""
    return ref.assign(value, name=name) if validate_shape is None else assign_op(
        "Assign", ref, _converted(ref, value), name=name, validate_shape=validate_shape)


def assign_add(ref, value, use_locking=None, name=None):
    return ref.assign_add(value, name=name)


def assign_sub(ref, value, use_locking=None, name=None):
    return ref.assign_sub(value, name=name)


def _converted(ref, value):
    from .constant_ops import convert_to_tensor

    return convert_to_tensor(value, dtype=ref.dtype)
