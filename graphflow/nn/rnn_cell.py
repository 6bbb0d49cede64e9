"""RNN cells (TF1 ``tf.nn.rnn_cell``): one time step of a recurrent network.

A cell maps ``(inputs, state) -> (output, new_state)``. On its first call it opens its
variable scope (the ``scope`` argument, else a unique ``basic_lstm_cell``-style name
inside the current scope) and creates its variables there with ``get_variable``, so they
get TF1's names such as ``rnn/basic_lstm_cell/kernel``; later calls re-enter that scope
with reuse on, so every time step shares the same weights.
"""

import collections
import re

from ..graph import name_scope
from ..init_ops import constant_initializer, zeros_initializer
from ..nest import flatten as nest_flatten
from ..nest import map_structure as nest_map
from ..nest import pack_sequence_as as nest_pack
from ..ops import array_ops, math_ops
from ..ops.constant_ops import constant_value, convert_to_tensor
from ..ops.linalg_ops import matmul
from ..ops.nn_ops import bias_add, dropout
from ..variable_scope import get_variable, variable_scope

__all__ = [
    "RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
    "DropoutWrapper", "ResidualWrapper", "DeviceWrapper", "LSTMStateTuple",
]


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """An LSTM's state: cell state ``c`` and hidden state (output) ``h``."""

    __slots__ = ()

    @property
    def dtype(self):
        if self.c.dtype != self.h.dtype:
            raise TypeError(f"Inconsistent internal state: {self.c.dtype.name} vs "
                            f"{self.h.dtype.name}")
        return self.c.dtype


def _snake_case(name):
    words = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", words).lower()


def _zeros_state(batch_size, size, dtype):
    """A [batch_size, size] zero tensor; ``batch_size`` may be a scalar tensor."""
    if constant_value(batch_size) is not None and not isinstance(batch_size, int):
        batch_size = int(constant_value(batch_size))
    if isinstance(batch_size, int):
        return array_ops.zeros([batch_size, size], dtype)
    dims = array_ops.stack([batch_size, size])
    return array_ops.fill(dims, convert_to_tensor(0, dtype=dtype))


class RNNCell:
    """Base class of cells. Subclasses give ``state_size``, ``output_size``,
    ``build(inputs_shape)`` (create variables with ``add_variable``) and
    ``call(inputs, state)``."""

    def __init__(self, reuse=None, name=None, dtype=None):
        self._reuse = reuse
        self._base_name = name or _snake_case(type(self).__name__)
        self._dtype = dtype
        self._scope = None
        self.built = False
        self._variables = []

    @property
    def state_size(self):
        raise NotImplementedError(f"{type(self).__name__} must define state_size")

    @property
    def output_size(self):
        raise NotImplementedError(f"{type(self).__name__} must define output_size")

    def build(self, inputs_shape):
        """Creates the cell's variables; cells without variables keep this default."""

    def __call__(self, inputs, state, scope=None):
        """One step; the first call opens the cell's scope and builds its variables."""
        if self._scope is None:
            opener = (variable_scope(scope, reuse=self._reuse) if scope is not None else
                      variable_scope(None, default_name=self._base_name, reuse=self._reuse))
        else:
            opener = variable_scope(self._scope, reuse=True)
        with opener as vs:
            self._scope = vs
            inputs = convert_to_tensor(inputs)
            if not self.built:
                self._dtype = self._dtype or inputs.dtype  # variables take the inputs' dtype
                self.build(inputs.shape)
                self.built = True
            return self.call(inputs, state)

    def add_variable(self, name, shape, dtype=None, initializer=None, regularizer=None,
                     trainable=True):
        """A variable of this cell, named ``<cell scope>/name`` (TF1 layers' signature)."""
        var = get_variable(name, shape, dtype=dtype or self._dtype, initializer=initializer,
                           regularizer=regularizer, trainable=trainable)
        self._variables.append(var)
        return var

    add_weight = add_variable

    @property
    def variables(self):
        return list(self._variables)

    trainable_variables = variables
    weights = variables
    trainable_weights = variables

    def zero_state(self, batch_size, dtype):
        """Zeros shaped like the state, with a leading ``batch_size`` dimension."""
        with name_scope(type(self).__name__ + "ZeroState"):
            return nest_map(lambda size: _zeros_state(batch_size, size, dtype),
                            self.state_size)


def _input_depth(inputs_shape):
    dims = inputs_shape.dims
    if not dims or dims[-1] is None:
        raise ValueError(f"Expected inputs.shape[-1] to be known, saw shape: {inputs_shape}")
    return dims[-1]


def _linear(inputs, state, kernel, bias):
    """``[inputs, state] @ kernel + bias``: every gate of a step in one matmul."""
    return bias_add(matmul(array_ops.concat([inputs, state], 1), kernel), bias)


class BasicRNNCell(RNNCell):
    """``h' = activation([x, h] @ kernel + bias)``; the output is the new state."""

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None):
        super().__init__(reuse, name, dtype)
        self._num_units = num_units
        self._activation = activation or math_ops.tanh

    state_size = property(lambda self: self._num_units)
    output_size = property(lambda self: self._num_units)

    def build(self, inputs_shape):
        n = self._num_units
        self._kernel = self.add_variable("kernel", [_input_depth(inputs_shape) + n, n])
        self._bias = self.add_variable("bias", [n], initializer=zeros_initializer())

    def call(self, inputs, state):
        output = self._activation(_linear(inputs, state, self._kernel, self._bias))
        return output, output


class GRUCell(RNNCell):
    """Gated recurrent unit: reset and update gates (``gates/``), then a candidate
    (``candidate/``); ``h' = u * h + (1 - u) * candidate``."""

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None):
        super().__init__(reuse, name, dtype)
        self._num_units = num_units
        self._activation = activation or math_ops.tanh
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    state_size = property(lambda self: self._num_units)
    output_size = property(lambda self: self._num_units)

    def build(self, inputs_shape):
        n, depth = self._num_units, _input_depth(inputs_shape) + self._num_units
        self._gate_kernel = self.add_variable("gates/kernel", [depth, 2 * n],
                                              initializer=self._kernel_initializer)
        self._gate_bias = self.add_variable(
            "gates/bias", [2 * n], initializer=self._bias_initializer or constant_initializer(1.0))
        self._candidate_kernel = self.add_variable("candidate/kernel", [depth, n],
                                                   initializer=self._kernel_initializer)
        self._candidate_bias = self.add_variable(
            "candidate/bias", [n], initializer=self._bias_initializer or zeros_initializer())

    def call(self, inputs, state):
        gates = math_ops.sigmoid(_linear(inputs, state, self._gate_kernel, self._gate_bias))
        r, u = array_ops.split(gates, 2, axis=1)
        candidate = self._activation(
            _linear(inputs, r * state, self._candidate_kernel, self._candidate_bias))
        new_h = u * state + (1 - u) * candidate
        return new_h, new_h


def _split_state(state, num_units, state_is_tuple):
    if state_is_tuple:
        return state
    return array_ops.split(state, [num_units, -1], axis=1)


def _join_state(c, h, state_is_tuple):
    return LSTMStateTuple(c, h) if state_is_tuple else array_ops.concat([c, h], 1)


class BasicLSTMCell(RNNCell):
    """LSTM without peepholes or projection; gates i, j, f, o from one matmul, with
    ``forget_bias`` added to the forget gate."""

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None,
                 reuse=None, name=None, dtype=None):
        super().__init__(reuse, name, dtype)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = activation or math_ops.tanh

    @property
    def state_size(self):
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    output_size = property(lambda self: self._num_units)

    def build(self, inputs_shape):
        n = self._num_units
        self._kernel = self.add_variable("kernel", [_input_depth(inputs_shape) + n, 4 * n])
        self._bias = self.add_variable("bias", [4 * n], initializer=zeros_initializer())

    def call(self, inputs, state):
        c, h = _split_state(state, self._num_units, self._state_is_tuple)
        i, j, f, o = array_ops.split(_linear(inputs, h, self._kernel, self._bias), 4, axis=1)
        act, sigmoid = self._activation, math_ops.sigmoid
        new_c = c * sigmoid(f + self._forget_bias) + sigmoid(i) * act(j)
        new_h = act(new_c) * sigmoid(o)
        return new_h, _join_state(new_c, new_h, self._state_is_tuple)


class LSTMCell(RNNCell):
    """LSTM with optional peepholes (``w_f_diag``, ``w_i_diag``, ``w_o_diag``), cell
    clipping, and a projection of the output to ``num_proj`` units
    (``projection/kernel``, optionally clipped)."""

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None,
                 num_proj=None, proj_clip=None, forget_bias=1.0, state_is_tuple=True,
                 activation=None, reuse=None, name=None, dtype=None):
        super().__init__(reuse, name, dtype)
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = activation or math_ops.tanh

    @property
    def state_size(self):
        n, out = self._num_units, self._num_proj or self._num_units
        return LSTMStateTuple(n, out) if self._state_is_tuple else n + out

    output_size = property(lambda self: self._num_proj or self._num_units)

    def build(self, inputs_shape):
        n, init = self._num_units, self._initializer
        depth = _input_depth(inputs_shape) + self.output_size
        self._kernel = self.add_variable("kernel", [depth, 4 * n], initializer=init)
        self._bias = self.add_variable("bias", [4 * n], initializer=zeros_initializer())
        if self._use_peepholes:
            self._peepholes = [self.add_variable(f"w_{g}_diag", [n], initializer=init)
                               for g in "fio"]
        if self._num_proj is not None:
            self._projection = self.add_variable("projection/kernel", [n, self._num_proj],
                                                 initializer=init)

    def call(self, inputs, state):
        c_prev, m_prev = _split_state(state, self._num_units, self._state_is_tuple)
        lstm = _linear(inputs, m_prev, self._kernel, self._bias)
        i, j, f, o = array_ops.split(lstm, 4, axis=1)
        act, sigmoid = self._activation, math_ops.sigmoid
        if self._use_peepholes:
            w_f, w_i, w_o = self._peepholes
            c = (sigmoid(f + self._forget_bias + w_f * c_prev) * c_prev
                 + sigmoid(i + w_i * c_prev) * act(j))
        else:
            c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * act(j)
        if self._cell_clip is not None:
            c = math_ops.clip_by_value(c, -self._cell_clip, self._cell_clip)
        m = sigmoid(o + w_o * c) * act(c) if self._use_peepholes else sigmoid(o) * act(c)
        if self._num_proj is not None:
            m = matmul(m, self._projection)
            if self._proj_clip is not None:
                m = math_ops.clip_by_value(m, -self._proj_clip, self._proj_clip)
        return m, _join_state(c, m, self._state_is_tuple)


class MultiRNNCell(RNNCell):
    """Cells stacked in depth: each cell's output is the next one's input; cell ``i``'s
    variables live under ``cell_i``. The state is a tuple of the cells' states (or
    their concatenation when ``state_is_tuple`` is False)."""

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not isinstance(cells, (list, tuple)):
            raise TypeError(f"cells must be a list or tuple, but saw: {cells}.")
        if not state_is_tuple and any(isinstance(c.state_size, tuple) for c in cells):
            raise ValueError("Some cells return tuples of states, but the flag "
                             "state_is_tuple is not set.")
        self._cells = list(cells)
        self._state_is_tuple = state_is_tuple

    @property
    def state_size(self):
        sizes = tuple(cell.state_size for cell in self._cells)
        return sizes if self._state_is_tuple else sum(sizes)

    output_size = property(lambda self: self._cells[-1].output_size)

    def zero_state(self, batch_size, dtype):
        if self._state_is_tuple:
            return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)
        return super().zero_state(batch_size, dtype)

    def call(self, inputs, state):
        states = (state if self._state_is_tuple else
                  array_ops.split(state, [c.state_size for c in self._cells], axis=1))
        new_states = []
        for i, (cell, cell_state) in enumerate(zip(self._cells, states, strict=True)):
            with variable_scope(f"cell_{i}"):
                inputs, new_state = cell(inputs, cell_state)
            new_states.append(new_state)
        if self._state_is_tuple:
            return inputs, tuple(new_states)
        return inputs, array_ops.concat(new_states, 1)

    @property
    def variables(self):
        return [v for cell in self._cells for v in cell.variables]

    trainable_variables = variables
    weights = variables
    trainable_weights = variables


class _Wrapper(RNNCell):
    """A cell that delegates state, sizes and variables to the cell it wraps."""

    def __init__(self, cell):
        super().__init__()
        self._cell = cell

    state_size = property(lambda self: self._cell.state_size)
    output_size = property(lambda self: self._cell.output_size)
    variables = property(lambda self: self._cell.variables)
    trainable_variables = variables
    weights = variables
    trainable_weights = variables

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)


def _keep_prob(value, what):
    static = constant_value(value) if hasattr(value, "op") else value
    if static is not None and not 0.0 < float(static) <= 1.0:
        raise ValueError(f"Parameter {what} must be between 0 and 1: {float(static)}")
    return static


def _lstm_h_only(substate):
    """TF1's default state dropout filter: drop an LSTM's ``h``, never its ``c``."""
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)
    return True


class DropoutWrapper(_Wrapper):
    """Dropout on the cell's inputs, outputs and new state (by default, every state
    part but an LSTM's ``c``). A keep probability of exactly 1 adds no op."""

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 seed=None, dropout_state_filter_visitor=None):
        super().__init__(cell)
        self._keep = {}
        for what, value in (("input_keep_prob", input_keep_prob),
                            ("output_keep_prob", output_keep_prob),
                            ("state_keep_prob", state_keep_prob)):
            self._keep[what] = None if _keep_prob(value, what) == 1.0 else value
        self._seed = seed
        self._state_filter = dropout_state_filter_visitor or _lstm_h_only

    def _dropout(self, x, what):
        keep = self._keep[what]
        return x if keep is None else dropout(x, keep_prob=keep, seed=self._seed)

    def __call__(self, inputs, state, scope=None):
        inputs = self._dropout(convert_to_tensor(inputs), "input_keep_prob")
        output, new_state = self._cell(inputs, state, scope=scope)
        if self._keep["state_keep_prob"] is not None:
            new_state = self._drop_state(new_state)
        return self._dropout(output, "output_keep_prob"), new_state

    def _drop_state(self, state):
        """Applies dropout to the state parts the filter selects."""
        if isinstance(state, (list, tuple)) and not isinstance(state, LSTMStateTuple):
            return type(state)(self._drop_state(s) for s in state)
        keep_mask = self._state_filter(state)
        flat = nest_flatten(state)
        if isinstance(keep_mask, tuple):
            masks = nest_flatten(keep_mask)
        else:
            masks = [keep_mask] * len(flat)
        dropped = [self._dropout(s, "state_keep_prob") if m else s
                   for s, m in zip(flat, masks, strict=True)]
        return nest_pack(state, dropped)


class ResidualWrapper(_Wrapper):
    """Adds the step's inputs to the cell's outputs (``residual_fn`` to combine them
    differently)."""

    def __init__(self, cell, residual_fn=None):
        super().__init__(cell)
        self._residual_fn = residual_fn or (lambda inputs, outputs: inputs + outputs)

    def __call__(self, inputs, state, scope=None):
        output, new_state = self._cell(inputs, state, scope=scope)
        return self._residual_fn(convert_to_tensor(inputs), output), new_state


class DeviceWrapper(_Wrapper):
    """Accepted for TF1 compatibility: graphflow runs every op on the CPU."""

    def __init__(self, cell, device):
        super().__init__(cell)
        self._device = device

    def __call__(self, inputs, state, scope=None):
        return self._cell(inputs, state, scope=scope)
