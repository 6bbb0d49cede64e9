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


if __name__ == "__main__":
    sys.exit(main())
