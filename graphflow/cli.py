"""The ``graphflow`` command line: ``graphflow demo`` and friends.

Each subcommand is one function decorated with ``@command``: it receives the argparse
subparsers, adds its parser, and sets ``run`` to the function that executes it (taking
the parsed arguments, returning an exit status).
"""

import argparse
import os
import shutil
import sys

_COMMANDS = []


def command(add_parser):
    """Registers ``add_parser(subparsers)``, which declares one subcommand."""
    _COMMANDS.append(add_parser)
    return add_parser


def build_parser():
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="graphflow",
        description="graphflow: a static computation-graph engine with TensorFlow 1.x's API.")
    parser.add_argument("--version", action="version", version=f"graphflow {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add_parser in _COMMANDS:
        add_parser(subparsers)
    return parser


def main(argv=None):
    """Entry point of the ``graphflow`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return args.run(args)


# ---- graphflow demo ----------------------------------------------------------------------

@command
def _demo_parser(subparsers):
    p = subparsers.add_parser(
        "demo", help="train a TF1-style MLP on scikit-learn's digits and draw its graph",
        description="Trains a 64-128-10 ReLU network with Adam on the 8x8 digits bundled "
                    "with scikit-learn, written as a TF1 program, then writes a picture of "
                    "its graph.")
    p.add_argument("--epochs", type=int, default=30,
                   help="passes over the training set (default %(default)s)")
    p.add_argument("--batch-size", type=int, default=32,
                   help="examples per training step (default %(default)s)")
    p.add_argument("--learning-rate", type=float, default=0.003,
                   help="Adam's learning rate (default %(default)s)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the initial weights, split and shuffling (default %(default)s)")
    p.add_argument("--out", default="demo_out",
                   help="folder for graph.dot and graph.svg (default ./%(default)s)")
    p.set_defaults(run=run_demo)


def run_demo(args):
    graph, accuracy = train_digits_mlp(args.epochs, args.batch_size, args.learning_rate,
                                       args.seed)
    print(f"test accuracy {accuracy:.4f}")
    write_graph_picture(graph, args.out)
    return 0


def load_digits_split(seed):
    """scikit-learn's digits scaled to [0, 1], split 75/25 (stratified)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = (digits.data / 16.0).astype("float32")
    return train_test_split(images, digits.target.astype("int64"), test_size=0.25,
                            random_state=seed, stratify=digits.target)


def train_digits_mlp(epochs, batch_size, learning_rate, seed, log=print):
    """The demo program, in TF1 style; returns its graph and the test accuracy."""
    import numpy as np

    import graphflow as tf

    x_train, x_test, y_train, y_test = load_digits_split(seed)
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        x = tf.placeholder(tf.float32, [None, 64], name="images")
        y = tf.placeholder(tf.int64, [None], name="labels")
        with tf.name_scope("hidden"):
            w1 = tf.Variable(tf.truncated_normal([64, 128], stddev=0.1), name="weights")
            b1 = tf.Variable(tf.zeros([128]), name="biases")
            hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
        with tf.name_scope("logits"):
            w2 = tf.Variable(tf.truncated_normal([128, 10], stddev=0.1), name="weights")
            b2 = tf.Variable(tf.zeros([10]), name="biases")
            logits = tf.matmul(hidden, w2) + b2
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits),
            name="loss")
        train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss)
        correct = tf.equal(tf.argmax(logits, 1), y)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
        rng = np.random.default_rng(seed)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for epoch in range(1, epochs + 1):
                order = rng.permutation(len(x_train))
                losses = []
                for start in range(0, len(order), batch_size):
                    batch = order[start:start + batch_size]
                    _, batch_loss = sess.run([train_op, loss],
                                             {x: x_train[batch], y: y_train[batch]})
                    losses.append(batch_loss)
                train_acc = sess.run(accuracy, {x: x_train, y: y_train})
                log(f"epoch {epoch:3d}/{epochs}  loss {np.mean(losses):.4f}  "
                    f"train accuracy {train_acc:.4f}")
            test_acc = float(sess.run(accuracy, {x: x_test, y: y_test}))
    return graph, test_acc


def write_graph_picture(graph, out_dir, log=print):
    """Writes ``graph.dot`` to ``out_dir`` and, when Graphviz's ``dot`` is installed,
    ``graph.svg``. Returns the paths written.
    """
    from . import viz

    os.makedirs(out_dir, exist_ok=True)
    dot = viz.to_dot(graph)
    dot_path = os.path.join(out_dir, "graph.dot")
    with open(dot_path, "w", encoding="utf-8") as f:
        f.write(dot.source)
    written = [dot_path]
    if shutil.which("dot") is None:
        log(f"wrote {dot_path}; Graphviz's 'dot' program was not found, so no graph.svg "
            "(install Graphviz, then run: dot -Tsvg graph.dot -o graph.svg)")
        return written
    svg_path = os.path.join(out_dir, "graph.svg")
    with open(svg_path, "wb") as f:
        f.write(dot.pipe(format="svg"))
    written.append(svg_path)
    log(f"wrote {dot_path} and {svg_path}")
    return written


# ---- graphflow viz -----------------------------------------------------------------------

@command
def _viz_parser(subparsers):
    p = subparsers.add_parser(
        "viz", help="draw a saved graph (GraphDef JSON or .meta) as SVG, PNG, PDF or DOT",
        description="Reads a graph written by tf.train.write_graph, graph.as_graph_def() or "
                    "Saver.save (.meta) and draws it with Graphviz.")
    p.add_argument("file", help="the saved graph")
    p.add_argument("-o", "--output", help="picture to write; its extension picks the format "
                                          "(default: FILE with .svg)")
    p.add_argument("--optimized", action="store_true",
                   help="draw the graph the optimizer makes of it")
    p.add_argument("--no-shapes", action="store_true", help="leave shapes out of the labels")
    p.set_defaults(run=run_viz)


def run_viz(args):
    from . import viz

    try:
        graph = load_saved_graph(args.file)
    except (OSError, ValueError) as e:
        print(f"graphflow viz: {e}", file=sys.stderr)
        return 1
    dot = viz.to_dot(graph, optimized=args.optimized, show_shapes=not args.no_shapes)
    output = args.output or os.path.splitext(args.file)[0] + ".svg"
    fmt = os.path.splitext(output)[1].lstrip(".").lower() or "svg"
    if fmt == "dot":
        with open(output, "w", encoding="utf-8") as f:
            f.write(dot.source)
    elif shutil.which("dot") is None:
        print("graphflow viz: Graphviz's 'dot' program is needed for ."
              f"{fmt} (write a .dot file instead, or install Graphviz)", file=sys.stderr)
        return 1
    else:
        with open(output, "wb") as f:
            f.write(dot.pipe(format=fmt))
    print(f"wrote {output} ({len(graph.get_operations())} ops)")
    return 0


def load_saved_graph(path):
    """A new Graph holding the graph saved in ``path`` (a GraphDef JSON or a meta graph)."""
    import json

    from .graph import Graph
    from .io import GraphDef, import_graph_def, import_meta_graph

    with open(path, "rb") as f:
        raw = f.read()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path} is not a graphflow graph file: {e}") from None
    graph = Graph()
    with graph.as_default():
        if isinstance(data, dict) and data.get("format") == "graphflow.MetaGraphDef":
            import_meta_graph(data)
        else:
            import_graph_def(GraphDef.from_dict(data), name="")
    return graph


# ---- graphflow trace ---------------------------------------------------------------------

@command
def _trace_parser(subparsers):
    p = subparsers.add_parser(
        "trace", help="run a saved graph once with tracing and write a Chrome trace",
        description="Imports a saved graph, initializes its variables, feeds every "
                    "placeholder the fetches need with random values, runs the fetches once "
                    "to warm up and once traced, and writes the Chrome trace event JSON "
                    "(open it in chrome://tracing or Perfetto).")
    p.add_argument("file", help="a GraphDef JSON or .meta file")
    p.add_argument("--fetch", action="append", required=True,
                   help="tensor or op name to run (repeatable), e.g. loss:0 or train")
    p.add_argument("--batch", type=int, default=32,
                   help="size used for unknown placeholder dimensions (default %(default)s)")
    p.add_argument("-o", "--output", default="trace.json", help="default %(default)s")
    p.add_argument("--threads", type=int, default=0, help="inter-op threads (0: per core)")
    p.set_defaults(run=run_trace)


def run_trace(args):
    import numpy as np

    from .runtime.plan import needed_ops
    from .runtime.tracing import RunMetadata, RunOptions
    from .session import ConfigProto, Session

    try:
        graph = load_saved_graph(args.file)
        fetches = [graph.as_graph_element(name) for name in args.fetch]
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"graphflow trace: {e}", file=sys.stderr)
        return 1
    rng = np.random.default_rng(0)
    feeds = {}
    for op in needed_ops(fetches, set()):
        if op.type == "Placeholder":
            t = op.outputs[0]
            dims = [args.batch if d is None else d for d in (t.shape.dims or [args.batch])]
            value = rng.standard_normal(dims) if t.dtype.is_floating else \
                rng.integers(0, 2, dims)
            feeds[t] = value.astype(t.dtype.np_dtype)
    config = ConfigProto(inter_op_parallelism_threads=args.threads)
    with Session(graph=graph, config=config) as sess:
        initializers = [op for op in graph.get_operations()
                        if op.type == "VariableV2" and op.outputs[0].initializer is not None]
        sess.run([op.outputs[0].initializer for op in initializers])
        sess.run(fetches, feeds)
        metadata = RunMetadata()
        sess.run(fetches, feeds, options=RunOptions(trace_level=RunOptions.FULL_TRACE),
                 run_metadata=metadata)
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(metadata.chrome_trace())
    traced = sum(len(d.node_stats) for d in metadata.step_stats.dev_stats)
    print(f"wrote {args.output}: {traced} traced ops "
          f"({len(feeds)} placeholders fed with random values)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
