"""Access to TensorBoard's protobuf modules, with one clear error when it is missing."""


def tensorboard_protos():
    """(summary_pb2, event_pb2, graph_pb2, node_def_pb2, attr_value_pb2, types_pb2,
    tensor_shape_pb2) from the ``tensorboard`` package."""
    try:
        from tensorboard.compat.proto import (
            attr_value_pb2,
            event_pb2,
            graph_pb2,
            node_def_pb2,
            summary_pb2,
            tensor_shape_pb2,
            types_pb2,
        )
    except ImportError:
        raise ImportError(
            "TensorBoard summaries need the `tensorboard` package: "
            "pip install 'graphflow[tensorboard]'") from None
    return (summary_pb2, event_pb2, graph_pb2, node_def_pb2, attr_value_pb2, types_pb2,
            tensor_shape_pb2)
