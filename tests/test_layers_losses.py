"""tf.layers (weights via get_variable, TF1 names, reuse) and tf.losses (weights, reductions)."""

import numpy as np
import pytest

import graphflow as gf
from tests.helpers import evaluate


def test_dense_names_reuse_and_values():
    x = gf.placeholder(gf.float32, [None, 3])
    y = gf.layers.dense(x, 4, activation=gf.nn.relu)
    y2 = gf.layers.dense(x, 2, name="head")
    shared = gf.layers.dense(x, 2, name="head", reuse=True)
    names = sorted(v.name for v in gf.trainable_variables())
    assert names == ["dense/bias:0", "dense/kernel:0", "head/bias:0", "head/kernel:0"]
    assert y.shape.as_list() == [None, 4]
    value = np.random.rand(5, 3).astype(np.float32)
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        kernel, got, a, b = sess.run(["dense/kernel:0", y, y2, shared], {x: value})
    np.testing.assert_allclose(got, np.maximum(value @ kernel, 0), rtol=1e-6)
    np.testing.assert_array_equal(a, b)


def test_dense_on_rank_3_inputs():
    x = gf.placeholder(gf.float32, [None, 7, 3])
    y = gf.layers.dense(x, 5)
    assert y.shape.as_list() == [None, 7, 5]
    assert evaluate(y, {x: np.ones((2, 7, 3), np.float32)}).shape == (2, 7, 5)


def test_conv_pool_flatten_shapes():
    x = gf.placeholder(gf.float32, [None, 28, 28, 1])
    h = gf.layers.conv2d(x, 8, 3, padding="same", activation=gf.nn.relu)
    h = gf.layers.max_pooling2d(h, 2, 2)
    h = gf.layers.conv2d(h, 4, (3, 3))
    flat = gf.layers.flatten(h)
    assert h.shape.as_list() == [None, 12, 12, 4] and flat.shape.as_list() == [None, 576]
    assert gf.get_default_graph().get_tensor_by_name("conv2d/kernel:0").shape.as_list() == \
        [3, 3, 1, 8]
    up = gf.layers.conv2d_transpose(h, 2, 3, strides=2, padding="same")
    assert evaluate(up, {x: np.zeros((1, 28, 28, 1), np.float32)}).shape == (1, 24, 24, 2)


def test_batch_normalization_training_updates_and_inference():
    x = gf.placeholder(gf.float32, [None, 3])
    training = gf.placeholder(gf.bool, [])
    y = gf.layers.batch_normalization(x, momentum=0.5, training=training)
    updates = gf.get_collection(gf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    value = np.random.rand(16, 3).astype(np.float32) * 4 + 1
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        out, _ = sess.run([y, updates], {x: value, training: True})
        normed = (value - value.mean(0)) / np.sqrt(value.var(0) + 1e-3)
        np.testing.assert_allclose(out, normed, rtol=1e-4, atol=1e-4)
        mean = sess.run("batch_normalization/moving_mean:0")
        np.testing.assert_allclose(mean, 0.5 * value.mean(0), rtol=1e-5)
        sess.run(updates, {x: value, training: False})  # no update when not training
        np.testing.assert_allclose(sess.run("batch_normalization/moving_mean:0"), mean)


def test_dropout_training_flag():
    x = gf.ones([1000])
    assert np.all(evaluate(gf.layers.dropout(x, 0.5, training=False)) == 1.0)
    dropped = evaluate(gf.layers.dropout(x, 0.5, seed=1, training=gf.constant(True)))
    assert 350 < np.count_nonzero(dropped) < 650 and set(np.unique(dropped)) <= {0.0, 2.0}


@pytest.mark.parametrize("reduction", ["none", "weighted_sum", "weighted_mean",
                                       "weighted_sum_over_batch_size",
                                       "weighted_sum_by_nonzero_weights"])
def test_weighted_loss_reductions(reduction):
    labels = np.array([[1.0, 0.0], [0.5, 2.0], [3.0, 1.0]])
    preds = np.array([[0.5, 0.0], [1.5, 2.0], [1.0, 0.0]])
    weights = np.array([[1.0], [0.0], [2.0]])
    loss = gf.losses.mean_squared_error(labels, preds, weights, reduction=reduction)
    per = (preds - labels) ** 2 * weights
    expected = {"none": per, "weighted_sum": per.sum(),
                "weighted_mean": per.sum() / np.broadcast_to(weights, per.shape).sum(),
                "weighted_sum_over_batch_size": per.sum() / per.size,
                "weighted_sum_by_nonzero_weights": per.sum() / 4}[reduction]
    np.testing.assert_allclose(evaluate(loss), expected, rtol=1e-6)
    assert gf.losses.get_losses() == [loss]


def test_loss_functions_against_numpy():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((4, 3))
    onehot = np.eye(3)[[0, 2, 1, 1]]
    p = 1 / (1 + np.exp(-logits))
    log_softmax = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    cases = [
        (gf.losses.softmax_cross_entropy(onehot, logits), -(onehot * log_softmax).sum(1).mean()),
        (gf.losses.sparse_softmax_cross_entropy(np.array([0, 2, 1, 1]), logits),
         -(onehot * log_softmax).sum(1).mean()),
        (gf.losses.sigmoid_cross_entropy(onehot, logits),
         -(onehot * np.log(p) + (1 - onehot) * np.log(1 - p)).mean()),
        (gf.losses.absolute_difference(onehot, logits), np.abs(logits - onehot).mean()),
        (gf.losses.hinge_loss(onehot, logits),
         np.maximum(0, 1 - (2 * onehot - 1) * logits).mean()),
        (gf.losses.log_loss(onehot, p),
         -(onehot * np.log(p + 1e-7) + (1 - onehot) * np.log(1 - p + 1e-7)).mean()),
        (gf.losses.huber_loss(onehot, logits),
         np.where(np.abs(logits - onehot) < 1, 0.5 * (logits - onehot) ** 2,
                  np.abs(logits - onehot) - 0.5).mean()),
    ]
    got = evaluate([c[0] for c in cases])
    for value, (_, want) in zip(got, cases, strict=True):
        np.testing.assert_allclose(value, want, rtol=1e-6)


def test_total_loss_includes_regularization_and_trains():
    from sklearn.datasets import load_digits

    digits = load_digits()
    order = np.random.default_rng(0).permutation(len(digits.target))
    xs, ys = (digits.data[order] / 16).astype(np.float32), digits.target[order]
    gf.set_random_seed(0)
    x = gf.placeholder(gf.float32, [None, 64])
    y = gf.placeholder(gf.int64, [None])
    hidden = gf.layers.dense(x, 32, activation=gf.nn.relu,
                             kernel_regularizer=lambda w: 1e-4 * gf.nn.l2_loss(w))
    logits = gf.layers.dense(hidden, 10)
    gf.losses.sparse_softmax_cross_entropy(y, logits)
    total = gf.losses.get_total_loss()
    assert len(gf.losses.get_regularization_losses()) == 1
    train = gf.train.AdamOptimizer(0.01).minimize(total)
    accuracy = gf.reduce_mean(gf.cast(gf.equal(gf.argmax(logits, 1), y), gf.float32))
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        for step in range(300):
            batch = slice((step * 64) % 1600, (step * 64) % 1600 + 64)
            sess.run(train, {x: xs[batch], y: ys[batch]})
        assert sess.run(accuracy, {x: xs[1600:], y: ys[1600:]}) > 0.93
