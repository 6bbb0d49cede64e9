"""tf.train.Saver: round trips, the state file, max_to_keep, atomic writes, bad checkpoints."""

import os

import numpy as np
import pytest

import graphflow as tf
from graphflow import errors


def make_vars():
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
    b = tf.Variable(np.array([1, 2], dtype=np.int32), name="layer/b")
    return w, b


def test_round_trip_and_state_file(tmp_path):
    w, b = make_vars()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=100)
        assert prefix == str(tmp_path / "model.ckpt-100")
        sess.run([w.assign(tf.zeros([2, 3])), b.assign([7, 7])])
        saver.restore(sess, prefix)
        np.testing.assert_array_equal(sess.run(w), np.arange(6).reshape(2, 3))
        np.testing.assert_array_equal(sess.run(b), [1, 2])
    state = (tmp_path / "checkpoint").read_text()
    assert state == ('model_checkpoint_path: "model.ckpt-100"\n'
                     'all_model_checkpoint_paths: "model.ckpt-100"\n')
    assert tf.train.latest_checkpoint(str(tmp_path)) == prefix
    ckpt = tf.train.get_checkpoint_state(str(tmp_path))
    assert ckpt.model_checkpoint_path == prefix
    assert ckpt.all_model_checkpoint_paths == [prefix]
    assert tf.train.latest_checkpoint(str(tmp_path / "nothing_here")) is None


def test_restore_in_a_new_session_and_graph(tmp_path):
    w, _ = make_vars()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver().save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default():
        w2 = tf.Variable(tf.zeros([2, 3]), name="w")
        with tf.Session() as sess:
            tf.train.Saver([w2]).restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
            np.testing.assert_array_equal(sess.run(w2), np.arange(6).reshape(2, 3))


def test_var_list_dict_maps_checkpoint_names(tmp_path):
    w, _ = make_vars()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver({"weights": w}).save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default():
        other = tf.Variable(tf.zeros([2, 3]), name="other")
        with tf.Session() as sess:
            tf.train.Saver({"weights": other}).restore(sess, path)
            assert sess.run(other)[1, 2] == 5.0


def test_max_to_keep_deletes_the_oldest(tmp_path):
    make_vars()
    saver = tf.train.Saver(max_to_keep=2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        paths = [saver.save(sess, str(tmp_path / "model.ckpt"), global_step=s)
                 for s in (1, 2, 3, 4)]
    assert [os.path.exists(p + ".npz") for p in paths] == [False, False, True, True]
    assert [os.path.exists(p + ".meta") for p in paths] == [False, False, True, True]
    assert saver.last_checkpoints == paths[2:]
    ckpt = tf.train.get_checkpoint_state(str(tmp_path))
    assert ckpt.all_model_checkpoint_paths == paths[2:]
    assert tf.train.latest_checkpoint(str(tmp_path)) == paths[3]


def test_saves_optimizer_slots_and_global_step(tmp_path):
    w = tf.Variable([1.0, -2.0], name="w")
    step = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(tf.square(w)), global_step=step)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        path = saver.save(sess, str(tmp_path / "m"), global_step=step)
        assert path.endswith("m-1")
        sess.run(train)
        expected = sess.run(w)
    with tf.Session() as sess:
        saver.restore(sess, path)
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), expected)
        assert sess.run(step) == 2


def test_failed_write_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    w, _ = make_vars()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=1)
        sess.run(w.assign(tf.ones([2, 3])))

        def crash_mid_write(file, **arrays):
            file.write(b"PK\x03\x04 partial")
            raise OSError("disk full")

        monkeypatch.setattr(np, "savez", crash_mid_write)
        with pytest.raises(OSError, match="disk full"):
            saver.save(sess, str(tmp_path / "model.ckpt"), global_step=2)
        monkeypatch.undo()
        assert sorted(os.listdir(tmp_path)) == [
            "checkpoint", "model.ckpt-1.meta", "model.ckpt-1.npz"]
        assert tf.train.latest_checkpoint(str(tmp_path)) == first
        saver.restore(sess, first)
        assert sess.run(w)[0, 1] == 1.0


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_corrupt_checkpoint_is_a_data_loss_error(tmp_path, damage):
    w, _ = make_vars()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "m"))
        data = (tmp_path / "m.npz").read_bytes()
        damaged = data[: len(data) // 2] if damage == "truncate" else b"\x00" * len(data)
        (tmp_path / "m.npz").write_bytes(damaged)
        sess.run(w.assign(tf.ones([2, 3])))
        with pytest.raises(errors.DataLossError, match="m.npz"):
            saver.restore(sess, path)
        np.testing.assert_array_equal(sess.run(w), np.ones((2, 3)))


def test_mismatched_shape_leaves_every_value_unchanged(tmp_path):
    with tf.Graph().as_default():
        a = tf.Variable([1.0, 2.0], name="a")
        w = tf.Variable(tf.zeros([2, 3]), name="w")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = tf.train.Saver([a, w]).save(sess, str(tmp_path / "m"))
    a = tf.Variable([5.0, 6.0], name="a")
    w = tf.Variable(tf.ones([3, 2]), name="w")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(errors.InvalidArgumentError, match=r"w.*\(2, 3\).*\(3, 2\)"):
            tf.train.Saver().restore(sess, path)
        np.testing.assert_array_equal(sess.run(a), [5.0, 6.0])
        np.testing.assert_array_equal(sess.run(w), np.ones((3, 2)))


def test_missing_variable_and_wrong_dtype(tmp_path):
    with tf.Graph().as_default():
        a = tf.Variable([1.0, 2.0], name="a")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    a = tf.Variable([5.0, 6.0], name="a")
    tf.Variable(3, name="extra")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(errors.NotFoundError, match="extra"):
            tf.train.Saver().restore(sess, path)
        assert sess.run(a).tolist() == [5.0, 6.0]
        with pytest.raises(errors.InvalidArgumentError, match="float32.*float64"):
            tf.train.Saver({"a": tf.Variable([0.0, 0.0], dtype=tf.float64)}).restore(
                sess, path)


def test_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="No variables to save"):
        tf.train.Saver()
    w, _ = make_vars()
    saver = tf.train.Saver([w])
    with pytest.raises(ValueError, match="At least two variables"):
        tf.train.Saver([w, w])
    with pytest.raises(TypeError, match="only save Variables"):
        tf.train.Saver([tf.constant(1.0)])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(ValueError, match="Parent directory"):
            saver.save(sess, str(tmp_path / "missing" / "m"))
        with pytest.raises(ValueError, match="not a valid checkpoint"):
            saver.restore(sess, str(tmp_path / "never_saved"))
        with pytest.raises(ValueError, match="None"):
            saver.restore(sess, None)


def test_checkpoint_files_are_plain_npz_without_pickles(tmp_path):
    make_vars()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    with np.load(path + ".npz", allow_pickle=False) as data:
        assert sorted(data.files) == ["layer/b", "w"]
        assert data["layer/b"].dtype == np.int32


def test_list_and_load_variables(tmp_path):
    make_vars()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver().save(sess, str(tmp_path / "m"), global_step=3)
    assert tf.train.list_variables(str(tmp_path)) == [("layer/b", [2]), ("w", [2, 3])]
    np.testing.assert_array_equal(tf.train.load_variable(path, "layer/b:0"), [1, 2])
    with pytest.raises(errors.NotFoundError, match="nope"):
        tf.train.load_variable(path, "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="Couldn't find"):
        tf.train.list_variables(str(tmp_path / "empty"))


def test_classic_meta_graph_restore_in_a_fresh_graph(tmp_path):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable([[1.0], [2.0]], name="w")
    tf.identity(tf.matmul(x, w), name="y")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(w.assign([[3.0], [4.0]]))
        tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"), global_step=7)
    with tf.Graph().as_default() as graph:
        with tf.Session() as sess:
            saver = tf.train.import_meta_graph(str(tmp_path / "model.ckpt-7.meta"))
            saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
            y = sess.run(graph.get_tensor_by_name("y:0"), {"x:0": [[1.0, 1.0]]})
    np.testing.assert_allclose(y, [[7.0]])


def test_write_meta_graph_false_writes_values_only(tmp_path):
    make_vars()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver().save(sess, str(tmp_path / "m"), write_meta_graph=False)
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "m.npz"]
