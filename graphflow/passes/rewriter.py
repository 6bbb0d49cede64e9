"""Rebuilding a graph op by op, which is how every pass rewrites.

A pass never mutates the graph it reads. It walks the source ops in creation order and, for
each, either copies it (inputs remapped to the new graph) or emits replacement ops and maps
the old outputs to new tensors. Copying keeps names, attributes and the user's source line,
so errors raised from an optimized plan still point at the user's code.
"""

from ..graph import Graph


class Rewriter:
    """Copies ``src`` ops into a fresh graph, letting a rule replace some of them."""

    def __init__(self, src):
        self.src = src
        self.dst = Graph()
        self.dst.seed = src.seed
        self.dst._collections = {k: list(v) for k, v in src._collections.items()}
        self.tensor_map = {}  # src Tensor -> dst Tensor
        self.op_map = {}  # src Operation -> dst Operation (copied ops only)
        self.stand_ins = {}  # src Operation rewritten away -> dst ops producing its values
        self.changes = []  # human-readable notes of what was rewritten

    def new(self, t):
        """The destination tensor standing for source tensor ``t``."""
        return self.tensor_map[t]

    def copy(self, op, inputs=None, control_inputs=None):
        """Copies ``op`` with (optionally replaced) destination inputs; returns the new op."""
        inputs = tuple(self.new(t) for t in op.inputs) if inputs is None else tuple(inputs)
        if control_inputs is None:
            control_inputs = self.controls(op)
        # Attributes are copied as they are: those that reference tensors (the branches of
        # functional control flow) keep referring to one consistent source graph.
        new_op = self.emit_op(op.type, inputs, dict(op.attrs), op.name + "/", control_inputs,
                              op.source)
        self.op_map[op] = new_op
        for old, new in zip(op.outputs, new_op.outputs, strict=True):
            self.tensor_map[old] = new
        return new_op

    def emit_op(self, op_type, inputs, attrs, name, control_inputs=(), source=None):
        """Adds one op to the destination graph (exact name when ``name`` ends with '/')."""
        dst = self.dst
        if name.endswith("/") and name[:-1] in dst._names:
            name = name[:-1]  # taken (e.g. by an earlier replacement): let the graph suffix it
        with dst.as_default(), dst.control_dependencies(list(control_inputs) or None):
            op = dst.create_op(op_type, inputs, attrs, name=name)
        if source is not None:
            op.source = source
        return op

    def controls(self, op):
        """Destination ops standing for ``op``'s control inputs.

        A control input that a rule rewrote away is replaced by the ops that produce its
        values, so a dependency on ``identity(assign_add(...))`` still runs the assignment.
        """
        out = []
        for c in op.control_inputs:
            for d in ([self.op_map[c]] if c in self.op_map else self.stand_ins.get(c, ())):
                if d not in out:
                    out.append(d)
        return out

    def emit(self, op_type, inputs, attrs, like, suffix=""):
        """A replacement op for source op ``like``, carrying its name and source line."""
        return self.emit_op(op_type, tuple(inputs), attrs, like.name + suffix + "/",
                            self.controls(like), like.source)

    def alias(self, op, tensors, note=None):
        """Maps ``op``'s outputs to existing destination tensors (the op disappears)."""
        for old, new in zip(op.outputs, tensors, strict=True):
            self.tensor_map[old] = new
        self.stand_ins[op] = list(dict.fromkeys(t.op for t in tensors))
        if note:
            self.changes.append(note)


def rewrite(src, ops, rule, feeds=()):
    """Runs ``rule(rw, op)`` over ``ops`` (creation order) into a new graph.

    ``rule`` returns True when it handled the op (replaced or aliased it); otherwise the op
    is copied. Fed tensors become placeholders of the same name, dtype and shape.
    """
    rw = Rewriter(src)
    for t in feeds:
        _copy_feed(rw, t)
    for op in ops:
        if all(t in rw.tensor_map for t in op.outputs) and op.outputs:
            continue  # every output is fed
        if not rule(rw, op):
            rw.copy(op)
    return rw


def _copy_feed(rw, t):
    """A fed tensor becomes a placeholder in the new graph."""
    name = t.name.replace(":", "_") if t.op.type != "Placeholder" else t.op.name
    attrs = {"dtype": t.dtype, "shape": t.shape}
    ph = rw.emit_op("Placeholder", (), attrs, name + "/", (), t.op.source)
    rw.tensor_map[t] = ph.outputs[0]
