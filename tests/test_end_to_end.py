"""Classic TF1 programs, unchanged except ``import graphflow as tf``.

Each test is a small complete program as TF1 tutorials wrote them: build the graph with
placeholders and Variables, minimize with a tf.train optimizer, run in a Session.
"""

import numpy as np
import pytest

import graphflow as tf


@pytest.fixture(scope="module")
def digits():
    """scikit-learn's 8x8 digits in [0, 1], split 75/25 with a fixed seed."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    images = (data.data / 16.0).astype(np.float32)
    return train_test_split(images, data.target, test_size=0.25, random_state=0,
                            stratify=data.target)


def one_hot(labels):
    return np.eye(10, dtype=np.float32)[labels]


def test_linear_regression_finds_the_true_weights():
    rng = np.random.RandomState(0)
    train_X = rng.uniform(-1, 1, size=100).astype(np.float32)
    train_Y = (3.0 * train_X + 2.0 + rng.normal(0, 0.01, size=100)).astype(np.float32)
    n_samples = train_X.shape[0]

    X = tf.placeholder("float")
    Y = tf.placeholder("float")
    W = tf.Variable(rng.randn(), name="weight")
    b = tf.Variable(rng.randn(), name="bias")
    pred = tf.add(tf.multiply(X, W), b)
    cost = tf.reduce_sum(tf.pow(pred - Y, 2)) / (2 * n_samples)
    optimizer = tf.train.GradientDescentOptimizer(0.5).minimize(cost)
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        sess.run(init)
        for _ in range(200):
            sess.run(optimizer, feed_dict={X: train_X, Y: train_Y})
        training_cost = sess.run(cost, feed_dict={X: train_X, Y: train_Y})
        assert sess.run(W) == pytest.approx(3.0, abs=0.01)
        assert sess.run(b) == pytest.approx(2.0, abs=0.01)
    assert training_cost < 1e-4


def test_softmax_regression_on_digits(digits):
    x_train, x_test, y_train, y_test = digits
    x = tf.placeholder(tf.float32, [None, 64])
    W = tf.Variable(tf.zeros([64, 10]))
    b = tf.Variable(tf.zeros([10]))
    y = tf.nn.softmax(tf.matmul(x, W) + b)
    y_ = tf.placeholder(tf.float32, [None, 10])
    cross_entropy = tf.reduce_mean(-tf.reduce_sum(y_ * tf.log(y), reduction_indices=[1]))
    train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)

    sess = tf.InteractiveSession()
    tf.global_variables_initializer().run()
    rng = np.random.RandomState(1)
    for _ in range(600):
        batch = rng.randint(0, len(x_train), size=100)
        sess.run(train_step, feed_dict={x: x_train[batch], y_: one_hot(y_train[batch])})
    correct_prediction = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
    test_accuracy = accuracy.eval(feed_dict={x: x_test, y_: one_hot(y_test)})
    sess.close()
    assert test_accuracy > 0.92


def test_mlp_on_digits_with_schedule_and_checkpoint(digits, tmp_path):
    x_train, x_test, y_train, y_test = digits
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 64], name="x")
    labels = tf.placeholder(tf.int64, [None], name="labels")

    def dense(inputs, n_in, n_out, name):
        with tf.name_scope(name):
            w = tf.Variable(tf.truncated_normal([n_in, n_out], stddev=0.1), name="weights")
            b = tf.Variable(tf.zeros([n_out]), name="biases")
            return tf.matmul(inputs, w) + b

    hidden = tf.nn.relu(dense(x, 64, 128, "hidden1"))
    hidden = tf.nn.relu(dense(hidden, 128, 64, "hidden2"))
    logits = dense(hidden, 64, 10, "softmax_linear")
    loss = tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    global_step = tf.train.get_or_create_global_step()
    learning_rate = tf.train.exponential_decay(0.01, global_step, 200, 0.7, staircase=True)
    train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss, global_step=global_step)
    accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, labels, 1), tf.float32))
    saver = tf.train.Saver()

    rng = np.random.RandomState(0)
    steps = 0
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(10):
            order = rng.permutation(len(x_train))
            for start in range(0, len(order), 64):
                batch = order[start:start + 64]
                sess.run([train_op, loss], {x: x_train[batch], labels: y_train[batch]})
                steps += 1
        test_accuracy = sess.run(accuracy, {x: x_test, labels: y_test})
        path = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=global_step)
    assert test_accuracy > 0.95
    assert path == str(tmp_path / f"model.ckpt-{steps}")
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
        assert sess.run(accuracy, {x: x_test, labels: y_test}) == test_accuracy
        assert sess.run(global_step) == steps


def test_small_cnn_on_digits(digits):
    x_train, x_test, y_train, y_test = digits
    tf.set_random_seed(1)

    def weight_variable(shape):
        return tf.Variable(tf.truncated_normal(shape, stddev=0.1))

    def bias_variable(shape):
        return tf.Variable(tf.constant(0.1, shape=shape))

    x = tf.placeholder(tf.float32, [None, 64])
    y_ = tf.placeholder(tf.float32, [None, 10])
    x_image = tf.reshape(x, [-1, 8, 8, 1])
    W_conv1 = weight_variable([3, 3, 1, 16])
    b_conv1 = bias_variable([16])
    h_conv1 = tf.nn.relu(
        tf.nn.conv2d(x_image, W_conv1, strides=[1, 1, 1, 1], padding="SAME") + b_conv1)
    h_pool1 = tf.nn.max_pool(h_conv1, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1],
                             padding="SAME")
    W_fc1 = weight_variable([4 * 4 * 16, 64])
    b_fc1 = bias_variable([64])
    h_pool1_flat = tf.reshape(h_pool1, [-1, 4 * 4 * 16])
    h_fc1 = tf.nn.relu(tf.matmul(h_pool1_flat, W_fc1) + b_fc1)
    W_fc2 = weight_variable([64, 10])
    b_fc2 = bias_variable([10])
    y_conv = tf.matmul(h_fc1, W_fc2) + b_fc2
    cross_entropy = tf.reduce_mean(
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=y_conv))
    train_step = tf.train.AdamOptimizer(3e-3).minimize(cross_entropy)
    correct_prediction = tf.equal(tf.argmax(y_conv, 1), tf.argmax(y_, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))

    rng = np.random.RandomState(2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(300):
            batch = rng.randint(0, len(x_train), size=50)
            train_step.run(feed_dict={x: x_train[batch], y_: one_hot(y_train[batch])})
        test_accuracy = accuracy.eval(feed_dict={x: x_test, y_: one_hot(y_test)})
    assert test_accuracy > 0.93
