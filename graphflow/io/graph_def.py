"""GraphDef: a graph as JSON data, and rebuilding a graph from it.

Every attribute value is encoded by kind (ints, floats, strings, dtypes, shapes, arrays as
base64 bytes of a numeric dtype, references to tensors and ops by name, function bodies of
control-flow ops). Decoding builds only those kinds: no pickle, no eval, no object arrays
from raw bytes, so a GraphDef from an untrusted source cannot run code. Anything malformed
raises ValueError naming the node and attribute.
"""

import base64
import json

import numpy as np

from .. import dtypes as _dtypes
from ..graph import Operation, Tensor, get_default_graph
from ..ops import registry
from ..shapes import TensorShape

FORMAT = "graphflow.GraphDef"
VERSION = 1


class GraphDef:
    """The serialized form of a graph: ``nodes`` (dicts), convertible to and from JSON."""

    def __init__(self, nodes=None, versions=None):
        self.node = list(nodes or [])
        self.versions = versions or {"producer": VERSION}

    def to_dict(self):
        return {"format": FORMAT, "version": VERSION, "node": self.node}

    def to_json(self, indent=None):
        return json.dumps(self.to_dict(), indent=indent)

    def SerializeToString(self):  # noqa: N802 - TF1's method name
        return self.to_json().encode("utf-8")

    @classmethod
    def from_dict(cls, data):
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a graphflow GraphDef (format {_describe(data)})")
        if data.get("version") != VERSION:
            raise ValueError(f"unsupported GraphDef version {data.get('version')!r}")
        nodes = data.get("node")
        if not isinstance(nodes, list):
            raise ValueError("malformed GraphDef: 'node' must be a list")
        return cls(nodes)

    @classmethod
    def from_json(cls, text):
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ValueError(f"malformed GraphDef JSON: {e}") from None
        return cls.from_dict(data)

    def ParseFromString(self, data):  # noqa: N802 - TF1's method name
        parsed = GraphDef.from_json(data.decode("utf-8") if isinstance(data, bytes) else data)
        self.node = parsed.node

    def __len__(self):
        return len(self.node)


def _describe(data):
    return repr(data.get("format")) if isinstance(data, dict) else type(data).__name__


# ---- encoding --------------------------------------------------------------------------

def as_graph_def(graph):
    """The GraphDef of ``graph`` (all ops, in creation order)."""
    bodies = _function_bodies(graph)
    nodes = []
    for op in graph.get_operations():
        node = {
            "name": op.name,
            "op": op.type,
            "input": [t.name for t in op.inputs] + ["^" + c.name for c in op.control_inputs],
            "attr": {k: _encode(v, op, k, bodies) for k, v in op.attrs.items()},
            "source": [op.source[0], op.source[1]] if op.source else None,
        }
        nodes.append(node)
    return GraphDef(nodes)


def _function_bodies(graph):
    """Where each control-flow function body lives: body -> (op name, attribute)."""
    found = {}
    for op in graph.get_operations():
        for k, v in op.attrs.items():
            if _is_function_body(v):
                found[v] = (op.name, k)
    return found


def _is_function_body(v):
    return type(v).__name__ == "FunctionBody"


def _encode(v, op, key, bodies):
    if v is None:
        return None
    if isinstance(v, bool):
        return {"b": v}
    if isinstance(v, int):
        return {"i": v}
    if isinstance(v, float):
        return {"f": repr(v)}
    if isinstance(v, str):
        return {"s": v}
    if isinstance(v, _dtypes.DType):
        return {"type": v.name}
    if isinstance(v, TensorShape):
        return {"shape": None if v.dims is None else list(v.dims)}
    if isinstance(v, np.ndarray):
        return {"tensor": _encode_array(v)}
    if isinstance(v, np.generic):
        return {"scalar": _encode_array(np.asarray(v))}
    if isinstance(v, Tensor):
        return {"tensor_ref": v.name}
    if isinstance(v, Operation):
        return {"op_ref": v.name}
    if isinstance(v, (list, tuple)):
        kind = "list" if isinstance(v, list) else "tuple"
        return {kind: [_encode(x, op, key, bodies) for x in v]}
    if isinstance(v, dict) and all(isinstance(k, str) for k in v):
        return {"dict": {k: _encode(x, op, key, bodies) for k, x in v.items()}}
    if _is_function_body(v):
        lender = bodies.get(v.lender) if v.lender is not None else None
        return {"function": {
            "outputs": [t.name for t in v.outputs], "ops": [o.name for o in v.ops],
            "feeds": [t.name for t in v.feeds], "borrowed": [t.name for t in v.borrowed],
            "lent": [t.name for t in v.lent], "lender": list(lender) if lender else None}}
    raise ValueError(f"cannot serialize attribute '{key}' of op '{op.name}' (type {op.type}): "
                     f"values of type {type(v).__name__} have no GraphDef encoding")


def _encode_array(a):
    dtype = _dtypes.as_dtype(a.dtype)
    if dtype == _dtypes.string:
        return {"dtype": "string", "shape": list(a.shape),
                "strings": [str(x) for x in a.reshape(-1)]}
    data = np.ascontiguousarray(a).tobytes()
    return {"dtype": dtype.name, "shape": list(a.shape),
            "data": base64.b64encode(data).decode("ascii")}


# ---- decoding --------------------------------------------------------------------------

def import_graph_def(graph_def, input_map=None, return_elements=None, name="import",
                     op_dict=None, producer_op_list=None):
    """Adds the ops of ``graph_def`` to the default graph, under name scope ``name``.

    ``input_map`` replaces named tensors of the GraphDef by existing tensors;
    ``return_elements`` names the tensors/ops to return.
    """
    if isinstance(graph_def, (str, bytes)):
        graph_def = GraphDef.from_json(graph_def)
    graph = get_default_graph()
    input_map = {k: v for k, v in (input_map or {}).items()}
    tensors, ops, bodies = {}, {}, {}
    with graph._all_or_nothing():  # a malformed node leaves the graph as it was
        prefix = ""
        if name:
            with graph.name_scope(name) as scope:
                prefix = scope
        for index, node in enumerate(graph_def.node):
            _build_node(graph, node, index, prefix, input_map, tensors, ops, bodies)
    _adopt_variables(ops)
    if return_elements is None:
        return None
    out = []
    for el in return_elements:
        if ":" in el:
            out.append(_lookup(tensors, el, "tensor", "return_elements"))
        else:
            out.append(_lookup(ops, el, "op", "return_elements"))
    return out


def _adopt_variables(ops):
    """Imported variables get their initializer (``<name>/Assign``) as in TF1."""
    from ..variables import Variable

    for name, op in ops.items():
        if op.type == "VariableV2":
            Variable._adopt(op.outputs[0], ops.get(name + "/Assign"), True)


def _lookup(table, key, kind, where):
    try:
        return table[key]
    except KeyError:
        raise ValueError(f"{where}: no {kind} named '{key}' in the GraphDef") from None


def _build_node(graph, node, index, prefix, input_map, tensors, ops, bodies):
    if not isinstance(node, dict) or not isinstance(node.get("name"), str) or \
            not isinstance(node.get("op"), str):
        raise ValueError(f"malformed GraphDef node #{index}: needs string 'name' and 'op'")
    name, op_type = node["name"], node["op"]
    try:
        registry.get(op_type)
    except KeyError:
        raise ValueError(f"GraphDef node '{name}' has unknown op type '{op_type}'") from None
    inputs, controls = [], []
    for ref in node.get("input", []):
        if not isinstance(ref, str):
            raise ValueError(f"GraphDef node '{name}': inputs must be strings, got {ref!r}")
        if ref.startswith("^"):
            controls.append(_lookup(ops, ref[1:], "op", f"node '{name}' control input"))
        elif ref in input_map:
            inputs.append(input_map[ref])
        else:
            inputs.append(_lookup(tensors, ref, "tensor", f"node '{name}' input"))
    attrs = {}
    for key, value in (node.get("attr") or {}).items():
        try:
            attrs[key] = _decode(value, tensors, ops, bodies)
        except (ValueError, TypeError, KeyError) as e:
            raise ValueError(f"GraphDef node '{name}' attribute '{key}': {e}") from None
    output_objects = None
    if op_type == "VariableV2":
        from ..variables import Variable

        output_objects = [Variable.__new__(Variable)]
    if prefix:
        _prefix_variable_names(attrs, prefix)
    with graph.control_dependencies(controls or None):
        op = graph.create_op(op_type, inputs, attrs, name=prefix + name + "/",
                             output_objects=output_objects)
    source = node.get("source")
    if isinstance(source, list) and len(source) == 2:
        op.source = (str(source[0]), int(source[1]))
    ops[name] = op
    for t in op.outputs:
        tensors[f"{name}:{t.value_index}"] = t
    for key, value in op.attrs.items():
        if _is_function_body(value):
            bodies[(name, key)] = value


def _prefix_variable_names(attrs, prefix):
    """Variables are named in attributes (``var_name``, ``m_var_name``, ``var_names``...);
    under an import scope they must name the imported variables."""
    for key, value in attrs.items():
        if key.endswith("var_name") and isinstance(value, str):
            attrs[key] = prefix + value
        elif key.endswith("var_names") and isinstance(value, (list, tuple)):
            attrs[key] = type(value)(prefix + v for v in value)


def _decode(v, tensors, ops, bodies):
    if v is None:
        return None
    if not isinstance(v, dict) or len(v) != 1:
        raise ValueError(f"malformed attribute value {v!r}")
    ((kind, x),) = v.items()
    if kind == "b":
        return bool(x)
    if kind == "i":
        return int(x)
    if kind == "f":
        return float(x)
    if kind == "s":
        return str(x)
    if kind == "type":
        return _dtypes.as_dtype(str(x))
    if kind == "shape":
        return TensorShape(None if x is None else [None if d is None else int(d) for d in x])
    if kind == "tensor":
        return _decode_array(x)
    if kind == "scalar":
        return _decode_array(x)[()]
    if kind == "tensor_ref":
        return _lookup(tensors, x, "tensor", "attribute")
    if kind == "op_ref":
        return _lookup(ops, x, "op", "attribute")
    if kind == "list":
        return [_decode(e, tensors, ops, bodies) for e in x]
    if kind == "tuple":
        return tuple(_decode(e, tensors, ops, bodies) for e in x)
    if kind == "dict":
        return {str(k): _decode(e, tensors, ops, bodies) for k, e in x.items()}
    if kind == "function":
        return _decode_function(x, tensors, ops, bodies)
    raise ValueError(f"unknown attribute kind '{kind}'")


def _decode_array(x):
    dtype = _dtypes.as_dtype(str(x["dtype"]))
    shape = tuple(int(d) for d in x["shape"])
    if dtype == _dtypes.string:
        arr = np.array([str(s) for s in x["strings"]], dtype=object).reshape(shape)
    else:
        raw = base64.b64decode(x["data"], validate=True)
        expected = int(np.prod(shape)) * dtype.size
        if len(raw) != expected:
            raise ValueError(f"array data has {len(raw)} bytes, shape {shape} of "
                             f"{dtype.name} needs {expected}")
        arr = np.frombuffer(raw, dtype=dtype.np_dtype).reshape(shape).copy()
    arr.flags.writeable = False
    return arr


def _decode_function(x, tensors, ops, bodies):
    from ..ops.control_flow_ops import FunctionBody

    def ts(names):
        return [_lookup(tensors, n, "tensor", "function body") for n in names]

    lender = None
    if x.get("lender"):
        lender = bodies[tuple(x["lender"])]
    body = FunctionBody(ts(x["outputs"]), [_lookup(ops, n, "op", "function body")
                                           for n in x["ops"]],
                        ts(x["feeds"]), ts(x["borrowed"]), lender)
    body.lend(ts(x["lent"]))
    return body
