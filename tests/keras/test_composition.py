"""Models built from other models and shared layers: one set of weights, seen by all."""

import gc
import weakref

import numpy as np
import pytest

import keras_frontend as keras
from keras_frontend import Input, layers, models


def gan_parts(seed=0):
    """A generator, a discriminator compiled while trainable, then frozen, and the GAN."""
    keras.utils.set_random_seed(seed)
    generator = models.Sequential([layers.Input((4,)), layers.Dense(16, activation="relu"),
                                   layers.Dense(1)])
    discriminator = models.Sequential([layers.Input((1,)), layers.Dense(16, activation="relu"),
                                       layers.Dense(1, activation="sigmoid")])
    discriminator.compile(optimizer="adam", loss="binary_crossentropy")
    discriminator.trainable = False
    noise = Input((4,))
    gan = models.Model(noise, discriminator(generator(noise)))
    gan.compile(optimizer="adam", loss="binary_crossentropy")
    return generator, discriminator, gan


def snapshot(model):
    return [w.copy() for w in model.get_weights()]


def changed(before, model):
    return [not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True)]


def test_gan_trains_the_generator_only_and_the_discriminator_keeps_training():
    generator, discriminator, gan = gan_parts()
    rng = np.random.default_rng(1)
    g0, d0 = snapshot(generator), snapshot(discriminator)
    gan.train_on_batch(rng.normal(size=(8, 4)), np.ones((8, 1)))
    assert all(changed(g0, generator)) and not any(changed(d0, discriminator))
    g1 = snapshot(generator)
    discriminator.train_on_batch(rng.normal(size=(8, 1)), np.ones((8, 1)))
    assert all(changed(d0, discriminator)) and not any(changed(g1, generator))
    assert len(gan.trainable_weights) == 4 and len(gan.weights) == 8


def test_gan_predictions_follow_the_latest_weights_of_both_parts():
    generator, discriminator, gan = gan_parts()
    rng = np.random.default_rng(2)
    z = rng.normal(size=(6, 4)).astype("float32")

    def consistent():
        composed = discriminator.predict(generator.predict(z, verbose=0), verbose=0)
        np.testing.assert_allclose(gan.predict(z, verbose=0), composed, rtol=1e-5, atol=1e-6)

    consistent()
    for _ in range(3):
        discriminator.train_on_batch(rng.normal(size=(8, 1)), rng.integers(0, 2, (8, 1)))
        gan.train_on_batch(rng.normal(size=(8, 4)), np.ones((8, 1)))
        consistent()
    discriminator.set_weights([np.zeros_like(w) for w in discriminator.get_weights()])
    np.testing.assert_allclose(gan.predict(z, verbose=0), 0.5)  # sigmoid(0)
    gan.set_weights([np.ones_like(w) for w in gan.get_weights()])
    assert all(np.all(w == 1) for w in discriminator.get_weights() + generator.get_weights())


def test_gan_learns_to_fool_a_fixed_discriminator():
    generator, discriminator, gan = gan_parts()
    rng = np.random.default_rng(3)
    z = rng.normal(size=(64, 4))
    before = gan.evaluate(z, np.ones((64, 1)), verbose=0)
    gan.fit(z, np.ones((64, 1)), epochs=20, verbose=0)
    assert gan.evaluate(z, np.ones((64, 1)), verbose=0) < before


def test_layers_shared_by_models_from_different_inputs():
    keras.utils.set_random_seed(4)
    d1, d2 = layers.Dense(8, activation="tanh"), layers.Dense(1)
    g1, g2 = layers.Dense(8, activation="relu"), layers.Dense(3)
    x_in = Input((3,))
    head = models.Model(x_in, d2(d1(x_in)))
    noise = Input((5,))
    whole = models.Model(noise, d2(d1(g2(g1(noise)))))
    rng = np.random.default_rng(5)
    z = rng.normal(size=(7, 5)).astype("float32")
    middle = models.Model(noise, g2(g1(noise)))

    def consistent():
        composed = head.predict(middle.predict(z, verbose=0), verbose=0)
        np.testing.assert_allclose(whole.predict(z, verbose=0), composed, rtol=1e-5, atol=1e-6)

    consistent()
    head.compile("sgd", "mse")
    head.fit(rng.normal(size=(16, 3)), rng.normal(size=(16, 1)), epochs=2, verbose=0)
    consistent()  # the head's training is seen by the whole model
    whole.compile("sgd", "mse")
    h0 = snapshot(head)
    whole.fit(z, rng.normal(size=(7, 1)), epochs=2, verbose=0)
    assert all(changed(h0, head))  # and the whole model's training by the head
    consistent()


def test_models_called_on_one_input_combine():
    keras.utils.set_random_seed(6)
    left = models.Sequential([layers.Input((3,)), layers.Dense(2)])
    right = models.Sequential([layers.Input((3,)), layers.Dense(4)])
    inp = Input((3,))
    both = models.Model(inp, layers.Concatenate()([left(inp), right(inp)]))
    x = np.random.default_rng(7).normal(size=(5, 3)).astype("float32")
    expected = np.concatenate([left.predict(x, verbose=0), right.predict(x, verbose=0)], -1)
    np.testing.assert_allclose(both.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_layers_named_alike_in_two_models_keep_their_own_weights():
    first = models.Sequential([layers.Input((2,)), layers.Dense(2, name="out")])
    second = models.Sequential([layers.Input((2,)), layers.Dense(2, name="out")])
    first.set_weights([np.eye(2, dtype="float32"), np.zeros(2, "float32")])
    second.set_weights([2 * np.eye(2, dtype="float32"), np.ones(2, "float32")])
    inp = Input((2,))
    chained = models.Model(inp, second(first(inp)))
    x = np.array([[1.0, 2.0]], "float32")
    np.testing.assert_allclose(chained.predict(x, verbose=0), [[3.0, 5.0]])
    np.testing.assert_allclose(first.predict(x, verbose=0), x)


def test_shared_layer_regularizer_and_constraint_apply_in_every_model():
    keras.utils.set_random_seed(8)
    shared = layers.Dense(1, kernel_regularizer=keras.regularizers.L2(0.5),
                          kernel_constraint=keras.constraints.NonNeg())
    a_in, b_in = Input((2,)), Input((2,))
    a = models.Model(a_in, shared(a_in))
    b = models.Model(b_in, shared(layers.Dense(2)(b_in)))
    b.compile("sgd", "mse")
    x, y = np.zeros((4, 2), "float32"), np.zeros((4, 1), "float32")
    kernel = shared.get_weights()[0]
    assert b.evaluate(x, y, verbose=0) == pytest.approx(0.5 * np.sum(kernel**2), rel=1e-5)
    b.fit(np.ones((4, 2)), -10 * np.ones((4, 1)), epochs=3, verbose=0)
    assert np.all(shared.get_weights()[0] >= 0)
    assert a.losses and a.losses[0].graph is a._graph


def test_eager_built_layer_joins_a_model():
    layer = layers.Dense(2)
    x = np.ones((1, 3), "float32")
    eager = layer(x)
    inp = Input((3,))
    hidden = layers.Dense(3, kernel_initializer="identity")(inp)
    model = models.Model(inp, layer(hidden))
    np.testing.assert_allclose(model.predict(x, verbose=0), eager, rtol=1e-6)
    layer.set_weights([np.ones((3, 2), "float32"), np.zeros(2, "float32")])
    np.testing.assert_allclose(model.predict(x, verbose=0), [[3.0, 3.0]])


def test_composed_model_saves_and_loads(tmp_path):
    generator, discriminator, gan = gan_parts()
    gan.train_on_batch(np.ones((8, 4)), np.ones((8, 1)))
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = models.load_model(path)
    z = np.random.default_rng(9).normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(loaded.predict(z, verbose=0), gan.predict(z, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_gans_in_a_loop_keep_memory_flat():
    refs = []
    for seed in range(6):
        generator, discriminator, gan = gan_parts(seed)
        gan.train_on_batch(np.ones((4, 4)), np.ones((4, 1)))
        discriminator.train_on_batch(np.ones((4, 1)), np.ones((4, 1)))
        refs += [weakref.ref(m._graph) for m in (generator, discriminator, gan)]
        del generator, discriminator, gan
    gc.collect()
    alive = sum(r() is not None for r in refs)
    assert alive <= 3, f"{alive} of {len(refs)} model graphs are still alive"
