"""scikit-learn's bundled 8x8 digits (1,797 images), for tutorials and offline tests."""

import numpy as np


def load_data(test_split=0.2, seed=113):
    """``(x_train, y_train), (x_test, y_test)``: uint8-range 8x8 images scaled to 0..255."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.images * (255.0 / 16.0)).astype(np.uint8)
    y = digits.target.astype(np.uint8)
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
