"""Summary ops: kernels that turn tensor values into serialized ``Summary`` protos.

Their outputs are string tensors, as in TF1, so ``sess.run(merged)`` gives bytes that
``FileWriter.add_summary`` writes. Summary ops are stateful so the optimizer never folds
or merges them away.
"""

import numpy as np

from .. import dtypes as _dtypes
from ..graph import get_default_graph
from ..ops.constant_ops import convert_to_tensor
from ..ops.op_utils import make
from ..ops.registry import define_op
from ..variables import GraphKeys
from .png import encode_png
from .protos import tensorboard_protos


def _as_bytes(summary):
    return np.array(summary.SerializeToString(), dtype=object)


def _scalar_kernel(value, tag):
    summary_pb2 = tensorboard_protos()[0]
    if np.size(value) != 1:
        raise ValueError(f"scalar summary '{tag}' needs a single value, got shape "
                         f"{np.shape(value)}")
    return _as_bytes(summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag=tag, simple_value=float(np.reshape(value, ())))]))


def _histogram_kernel(values, tag, bins):
    summary_pb2 = tensorboard_protos()[0]
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    counts, edges = np.histogram(flat, bins=bins) if flat.size else (np.zeros(0), np.zeros(1))
    histo = summary_pb2.HistogramProto(
        min=float(flat.min()) if flat.size else 0.0,
        max=float(flat.max()) if flat.size else 0.0,
        num=float(flat.size), sum=float(flat.sum()), sum_squares=float((flat ** 2).sum()),
        bucket_limit=[float(e) for e in edges[1:]], bucket=[float(c) for c in counts])
    return _as_bytes(summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag,
                                                                          histo=histo)]))


def _image_kernel(images, tag, max_outputs):
    summary_pb2 = tensorboard_protos()[0]
    images = np.asarray(images)
    if images.dtype.kind == "f":
        images = np.clip(images, 0.0, 1.0) * 255.0 if images.max(initial=0) <= 1.0 else \
            np.clip(images, 0.0, 255.0)
    images = images.astype(np.uint8)
    values = []
    for i, img in enumerate(images[:max_outputs]):
        name = f"{tag}/image" if max_outputs == 1 else f"{tag}/image/{i}"
        values.append(summary_pb2.Summary.Value(tag=name, image=summary_pb2.Summary.Image(
            height=img.shape[0], width=img.shape[1], colorspace=img.shape[2],
            encoded_image_string=encode_png(img))))
    return _as_bytes(summary_pb2.Summary(value=values))


def _text_kernel(value, tag):
    summary_pb2 = tensorboard_protos()[0]
    text = str(np.asarray(value).reshape(-1)[0]) if np.size(value) else ""
    return _as_bytes(summary_pb2.Summary(value=[summary_pb2.Summary.Value(
        tag=tag, metadata=summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="text")),
        tensor=_string_tensor(text))]))


def _string_tensor(text):
    from tensorboard.compat.proto import tensor_pb2, tensor_shape_pb2, types_pb2

    return tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=[text.encode()],
                                  tensor_shape=tensor_shape_pb2.TensorShapeProto())


def _merge_kernel(*summaries):
    summary_pb2 = tensorboard_protos()[0]
    merged = summary_pb2.Summary()
    for s in summaries:
        part = summary_pb2.Summary()
        part.ParseFromString(bytes(np.asarray(s, dtype=object).reshape(())[()]))
        merged.value.extend(part.value)
    return _as_bytes(merged)


def _string_out(inputs, attrs):
    return _dtypes.string, ()


for _type, _kernel in (("ScalarSummary", _scalar_kernel), ("HistogramSummary", _histogram_kernel),
                       ("ImageSummary", _image_kernel), ("TextSummary", _text_kernel),
                       ("MergeSummary", _merge_kernel)):
    define_op(_type, infer=_string_out, kernel=_kernel, stateful=True)


def _summary(op_type, name, tensor, attrs, collections):
    graph = get_default_graph()
    scope = graph.get_name_scope()
    tag = f"{scope}/{name}" if scope else name
    out = make(op_type, (convert_to_tensor(tensor),), dict(attrs, tag=tag), name=name)
    for key in collections if collections is not None else [GraphKeys.SUMMARIES]:
        graph.add_to_collection(key, out)
    return out


def scalar(name, tensor, collections=None, family=None):
    """A summary of one scalar value, tagged with ``name`` inside the current name scope."""
    return _summary("ScalarSummary", name, tensor, {}, collections)


def histogram(name, values, collections=None, family=None, bins=30):
    return _summary("HistogramSummary", name, values, {"bins": int(bins)}, collections)


def image(name, tensor, max_outputs=3, collections=None, family=None):
    """PNG images from a [batch, height, width, channels] tensor (floats in [0, 1])."""
    t = convert_to_tensor(tensor)
    if t.shape.ndims not in (None, 4):
        raise ValueError(f"image summary '{name}' needs a 4-D tensor, got shape {t.shape}")
    return _summary("ImageSummary", name, t, {"max_outputs": int(max_outputs)}, collections)


def text(name, tensor, collections=None):
    return _summary("TextSummary", name, tensor, {}, collections)


def merge(inputs, collections=None, name=None):
    inputs = [convert_to_tensor(t) for t in inputs]
    out = make("MergeSummary", tuple(inputs), name=name or "Merge/MergeSummary")
    for key in collections or []:
        get_default_graph().add_to_collection(key, out)
    return out


def merge_all(key=GraphKeys.SUMMARIES, scope=None, name=None):
    """All summaries in the collection merged into one op, or None when there are none."""
    summaries = get_default_graph().get_collection(key, scope)
    return merge(summaries, name=name) if summaries else None
