"""FileWriter: TensorBoard event files through tensorboard's own writer and protos."""

import os
import time

from ..graph import Graph
from .protos import tensorboard_protos

_DTYPE_ENUM = {"float16": "DT_HALF", "float32": "DT_FLOAT", "float64": "DT_DOUBLE",
               "int8": "DT_INT8", "int16": "DT_INT16", "int32": "DT_INT32",
               "int64": "DT_INT64", "uint8": "DT_UINT8", "uint16": "DT_UINT16",
               "bool": "DT_BOOL", "string": "DT_STRING"}


class FileWriter:
    """Writes summaries, the graph and events to an event file in ``logdir`` (TF1 API)."""

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, filename_suffix=None,
                 session=None):
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        tensorboard_protos()
        os.makedirs(logdir, exist_ok=True)
        self._logdir = logdir
        self._writer = EventFileWriter(logdir, max_queue_size=max_queue,
                                       flush_secs=flush_secs,
                                       filename_suffix=filename_suffix or "")
        if graph is not None:
            self.add_graph(graph)

    def get_logdir(self):
        return self._logdir

    def add_event(self, event):
        self._writer.add_event(event)

    def _event(self, global_step=None, **fields):
        event_pb2 = tensorboard_protos()[1]
        event = event_pb2.Event(wall_time=time.time(), **fields)
        if global_step is not None:
            event.step = int(global_step)
        self.add_event(event)

    def add_summary(self, summary, global_step=None):
        """Adds a summary: the bytes a summary op produced, or a ``Summary`` proto."""
        summary_pb2 = tensorboard_protos()[0]
        if isinstance(summary, summary_pb2.Summary):
            proto = summary
        else:
            raw = summary.item() if hasattr(summary, "item") else summary
            proto = summary_pb2.Summary()
            proto.ParseFromString(bytes(raw))
        self._event(global_step, summary=proto)

    def add_graph(self, graph, global_step=None, graph_def=None):
        """Adds ``graph`` so it appears in TensorBoard's graph view."""
        if not isinstance(graph, Graph):
            raise TypeError(f"add_graph expects a graphflow Graph, got {type(graph).__name__}")
        self._event(global_step, graph_def=to_tensorboard_graph_def(graph).SerializeToString())

    def flush(self):
        self._writer.flush()

    def close(self):
        self._writer.close()

    def reopen(self):
        self._writer.reopen()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class FileWriterCache:
    """One FileWriter per log directory, as TF1's cache."""

    _cache = {}

    @classmethod
    def get(cls, logdir):
        if logdir not in cls._cache:
            cls._cache[logdir] = FileWriter(logdir)
        return cls._cache[logdir]

    @classmethod
    def clear(cls):
        for writer in cls._cache.values():
            writer.close()
        cls._cache.clear()


def to_tensorboard_graph_def(graph):
    """The graph as TensorFlow's GraphDef proto: ops, inputs, dtypes and output shapes."""
    (_, _, graph_pb2, node_def_pb2, attr_value_pb2, types_pb2,
     tensor_shape_pb2) = tensorboard_protos()
    nodes = []
    for op in graph.get_operations():
        node = node_def_pb2.NodeDef(
            name=op.name, op=op.type,
            input=[_input_name(t) for t in op.inputs] + ["^" + c.name for c in op.control_inputs])
        if op.outputs:
            node.attr["T"].type = getattr(types_pb2, _DTYPE_ENUM[op.outputs[0].dtype.name])
            shapes = attr_value_pb2.AttrValue.ListValue(shape=[
                _shape_proto(tensor_shape_pb2, t.shape) for t in op.outputs])
            node.attr["_output_shapes"].list.CopyFrom(shapes)
        for key, value in op.attrs.items():
            if isinstance(value, bool):
                node.attr[key].b = value
            elif isinstance(value, int):
                node.attr[key].i = value
            elif isinstance(value, float):
                node.attr[key].f = value
            elif isinstance(value, str):
                node.attr[key].s = value.encode()
        nodes.append(node)
    return graph_pb2.GraphDef(node=nodes)


def _input_name(t):
    return t.op.name if t.value_index == 0 else t.name


def _shape_proto(tensor_shape_pb2, shape):
    if shape.dims is None:
        return tensor_shape_pb2.TensorShapeProto(unknown_rank=True)
    return tensor_shape_pb2.TensorShapeProto(dim=[
        tensor_shape_pb2.TensorShapeProto.Dim(size=-1 if d is None else d) for d in shape.dims])
