"""TensorBoard summaries, read back with tensorboard's own event reader."""

import glob

import numpy as np
import pytest

import graphflow as gf

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_file_loader import (  # noqa: E402
    LegacyEventFileLoader,
)
from tensorboard.compat.proto import graph_pb2  # noqa: E402


def read_events(logdir):
    (path,) = glob.glob(f"{logdir}/events.out.tfevents.*")
    return list(LegacyEventFileLoader(path).Load())


def test_scalar_histogram_image_merge_and_graph(tmp_path):
    x = gf.placeholder(gf.float32, [None, 4, 4, 1], name="x")
    with gf.name_scope("stats"):
        loss = gf.reduce_mean(x, name="loss")
        gf.summary.scalar("loss", loss)
        gf.summary.histogram("pixels", x)
        gf.summary.image("input", x, max_outputs=2)
    merged = gf.summary.merge_all()
    images = np.random.rand(3, 4, 4, 1).astype(np.float32)
    with gf.Session() as sess, gf.summary.FileWriter(str(tmp_path), sess.graph) as writer:
        for step in range(3):
            writer.add_summary(sess.run(merged, {x: images * step}), global_step=step)
    events = read_events(tmp_path)
    graphs = [e for e in events if e.graph_def]
    assert len(graphs) == 1
    graph_def = graph_pb2.GraphDef()
    graph_def.ParseFromString(graphs[0].graph_def)
    assert "stats/loss" in {n.name for n in graph_def.node}
    summaries = [e for e in events if e.summary.value]
    assert [e.step for e in summaries] == [0, 1, 2]
    values = {v.tag: v for v in summaries[1].summary.value}
    assert values["stats/loss"].simple_value == pytest.approx(float(images.mean()), rel=1e-5)
    assert values["stats/pixels"].histo.num == images.size
    png = values["stats/input/image/0"].image
    assert png.height == 4 and png.encoded_image_string.startswith(b"\x89PNG")
    assert "stats/input/image/1" in values and "stats/input/image/2" not in values


def test_merge_all_without_summaries_is_none():
    assert gf.summary.merge_all() is None


def test_scalar_summary_of_a_vector_names_it():
    v = gf.constant([1.0, 2.0])
    s = gf.summary.scalar("bad", v)
    with gf.Session() as sess, pytest.raises(gf.errors.InvalidArgumentError, match="bad"):
        sess.run(s)
