"""The graphflow command line: the demo trains, reports and draws its graph."""

import shutil

import pytest

from graphflow import cli


def test_demo_trains_reports_and_draws(tmp_path, capsys):
    assert cli.main(["demo", "--epochs", "12", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("epoch   1/12  loss ")
    assert "train accuracy" in lines[11]
    accuracy = float(next(line for line in lines if line.startswith("test accuracy")).split()[-1])
    assert accuracy > 0.95
    dot_source = (tmp_path / "graph.dot").read_text()
    assert dot_source.startswith("digraph") and "ApplyAdam" in dot_source
    if shutil.which("dot"):
        assert (tmp_path / "graph.svg").read_text().lstrip().startswith("<?xml")


def test_demo_without_graphviz_writes_only_the_dot_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli.shutil, "which", lambda name: None)
    graph, _ = cli.train_digits_mlp(epochs=1, batch_size=256, learning_rate=0.01, seed=1,
                                    log=lambda line: None)
    written = cli.write_graph_picture(graph, str(tmp_path / "pictures"))
    assert written == [str(tmp_path / "pictures" / "graph.dot")]
    assert not (tmp_path / "pictures" / "graph.svg").exists()
    assert "'dot' program was not found" in capsys.readouterr().out


def test_no_command_prints_help_and_unknown_command_fails(capsys):
    assert cli.main([]) == 2
    assert "demo" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["no-such-command"])


def _saved_model(tmp_path):
    import graphflow as gf

    with gf.Graph().as_default() as graph:
        x = gf.placeholder(gf.float32, [None, 4], name="x")
        w = gf.Variable(gf.ones([4, 2]), name="w")
        loss = gf.reduce_mean(gf.square(gf.matmul(x, w)), name="loss")
        gf.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")
        with gf.Session(graph=graph) as sess:
            sess.run(gf.global_variables_initializer())
            prefix = gf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
        graph_json = gf.io.write_graph(graph, str(tmp_path), "graph.json")
    return prefix + ".meta", graph_json


def test_viz_draws_saved_graphs(tmp_path, capsys):
    meta, graph_json = _saved_model(tmp_path)
    assert cli.main(["viz", graph_json, "-o", str(tmp_path / "g.dot")]) == 0
    assert "MatMul" in (tmp_path / "g.dot").read_text()
    assert cli.main(["viz", meta, "--optimized", "-o", str(tmp_path / "o.dot")]) == 0
    assert "digraph" in (tmp_path / "o.dot").read_text()
    if shutil.which("dot"):
        assert cli.main(["viz", graph_json]) == 0
        assert (tmp_path / "graph.svg").read_text().lstrip().startswith("<?xml")
    (tmp_path / "bad.json").write_text("{not json")
    assert cli.main(["viz", str(tmp_path / "bad.json")]) == 1
    assert "not a graphflow graph file" in capsys.readouterr().err


def test_trace_writes_a_chrome_trace(tmp_path, capsys):
    import json

    meta, _ = _saved_model(tmp_path)
    out = tmp_path / "trace.json"
    assert cli.main(["trace", meta, "--fetch", "train", "--fetch", "loss:0",
                     "-o", str(out)]) == 0
    events = json.loads(out.read_text())["traceEvents"]
    names = {e["name"] for e in events if e.get("ph") == "X"}
    assert {"MatMul", "ApplyGradientDescent"} <= names
    assert "traced ops" in capsys.readouterr().out
    assert cli.main(["trace", meta, "--fetch", "nope:0", "-o", str(out)]) == 1
