"""``model.summary()``: Keras 3's table of layers, output shapes and parameter counts."""

import shutil
import sys

import numpy as np

from .. import backend, tree

_BOX = {"top": "┏━┳┓", "head": "┡━╇┩", "mid": "├─┼┤", "bottom": "└─┴┘"}


def readable_size(num_bytes):
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if num_bytes / 1024 < 1:
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.2f} PB"


def _bytes(variables):
    return sum(int(np.prod(v.shape.as_list())) * v.dtype.size for v in variables)


def _count(variables):
    return sum(int(np.prod(v.shape.as_list())) for v in variables)


def _console_width():
    """The terminal's width, or 80 (what Keras's console assumes) when not a terminal."""
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return 80


def _is_sequential_like(model):
    from ..models import Sequential

    if isinstance(model, Sequential):
        return True
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        return False
    previous = model.inputs[0]
    for node in model._nodes:
        if node.input_tensors != [previous] or len(node.output_tensors) != 1:
            return False
        previous = node.output_tensors[0]
    return True


def _widths(line_length, positions, columns):
    """Keras's column widths (padding included); the borders' width comes out of them."""
    widths, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current if pos <= 1 else int(pos) - current
        current += width
        widths.append(width)
    inner = [w - 1 for w in widths]
    inner[1] -= 1
    return inner[:columns]


def _rows(model, sequential_like):
    from ..models import Sequential

    nodes_by_layer = {}
    for node in model._nodes:
        nodes_by_layer.setdefault(id(node.layer), []).append(node)
    keys = {}
    for node in model._nodes:
        for i, t in enumerate(node.output_tensors):
            keys.setdefault(t, f"{node.layer.name}[{len(nodes_by_layer[id(node.layer)]) - 1}]"
                               f"[{i}]")
    rows = []
    layers = model.layers
    for layer in layers:
        nodes = nodes_by_layer.get(id(layer), [])
        if nodes:
            shapes = [tree.map_structure(backend.int_shape, n.outputs) for n in nodes]
        else:
            shapes = [tree.map_structure(backend.int_shape, layer.output)]
        shape = shapes[0] if len(shapes) == 1 else shapes
        connected = []
        if not sequential_like and not isinstance(model, Sequential):
            for node in nodes:
                connected.extend(_connection(t, model, keys) for t in node.input_tensors)
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        rows.append([f"{layer.name} ({_class_name(layer)})", _shape_text(shape), params,
                     ",\n".join(connected) if connected else "-"])
    return rows


def _class_name(layer):
    """Keras calls a functional model ``Functional`` in summaries."""
    from ..models import Model

    return "Functional" if type(layer) is Model else type(layer).__name__


def _connection(t, model, keys):
    if t in keys:
        return keys[t]
    node = backend.graph_state(model._graph).history.get(t)
    return f"{node.layer.name}[0][0]" if node is not None else t.op.name


def _shape_text(shape):
    if isinstance(shape, list):
        return "[" + ", ".join(_shape_text(s) for s in shape) + "]"
    if shape is None:
        return "?"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def _wrap(text, width):
    """Splits a cell's text into lines of at most ``width`` characters."""
    lines = []
    for part in text.split("\n"):
        while len(part) > width:
            cut = part.rfind(" ", 0, width + 1)
            cut = cut if cut > 0 else width
            lines.append(part[:cut].rstrip())
            part = part[cut:].lstrip()
        lines.append(part)
    return lines


def _table_lines(headers, rows, widths, right_aligned):
    def border(kind):
        left, fill, sep, right = _BOX[kind]
        return left + sep.join(fill * w for w in widths) + right

    def cells(values, bar):
        wrapped = [_wrap(v, w - 2) for v, w in zip(values, widths, strict=True)]
        height = max(len(w) for w in wrapped)
        out = []
        for i in range(height):
            parts = []
            for col, (lines, w) in enumerate(zip(wrapped, widths, strict=True)):
                text = lines[i] if i < len(lines) else ""
                parts.append(f" {text:>{w - 2}} " if col in right_aligned
                             else f" {text:<{w - 2}} ")
            out.append(bar + bar.join(parts) + bar)
        return out

    lines = [border("top")] + cells(headers, "┃") + [border("head")]
    for i, row in enumerate(rows):
        if i:
            lines.append(border("mid"))
        lines.extend(cells(row, "│"))
    lines.append(border("bottom"))
    return lines


def print_summary(model, line_length=None, positions=None, print_fn=None):
    """Prints (or passes to ``print_fn``) the Keras 3 summary table of ``model``."""
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        default_length, default_positions = 88, [0.45, 0.80, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #"]
    else:
        default_length, default_positions = 108, [0.3, 0.56, 0.74, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    columns = len(headers)
    default_length = min(default_length, _console_width() - 4)
    line_length = line_length or default_length
    widths = _widths(line_length, positions or default_positions, columns)
    rows = [row[:columns] for row in _rows(model, sequential_like)]
    lines = [f'Model: "{model.name}"']
    lines += _table_lines(headers, rows, widths, right_aligned={2})
    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    optimizer = getattr(model, "optimizer", None)
    optimizer_vars = list(optimizer.variables) if optimizer is not None else []
    total = trainable + non_trainable + optimizer_vars
    lines.append(f" Total params: {_count(total):,} ({readable_size(_bytes(total))})")
    lines.append(f" Trainable params: {_count(trainable):,} "
                 f"({readable_size(_bytes(trainable))})")
    lines.append(f" Non-trainable params: {_count(non_trainable):,} "
                 f"({readable_size(_bytes(non_trainable))})")
    if optimizer_vars:
        lines.append(f" Optimizer params: {_count(optimizer_vars):,} "
                     f"({readable_size(_bytes(optimizer_vars))})")
    emit = print_fn or print
    for line in lines:
        emit(line)
