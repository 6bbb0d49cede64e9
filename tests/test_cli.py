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
