"""VGG16 and VGG19 (Simonyan & Zisserman, 2014) with Keras's layer names."""

from ..layers import Conv2D, MaxPooling2D
from ..models import Model
from . import imagenet_utils as utils

_BLOCKS = {16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}
_FILTERS = (64, 128, 256, 512, 512)


def build_vgg(depth, include_top, weights, input_tensor, input_shape, pooling, classes,
              classifier_activation, name):
    utils.check_arguments(weights, include_top, classes)
    if weights == "imagenet":
        suffix = "" if include_top else "_notop"
        utils.weights_path(weights, f"vgg{depth}_weights_tf_dim_ordering_tf_kernels{suffix}.h5",
                           f"vgg{depth}/")
    inputs = utils.model_input(input_tensor, input_shape, include_top, 224, 32, weights)
    x = inputs
    for block, (convs, filters) in enumerate(zip(_BLOCKS[depth], _FILTERS, strict=True), 1):
        for i in range(1, convs + 1):
            x = Conv2D(filters, (3, 3), activation="relu", padding="same",
                       name=f"block{block}_conv{i}")(x)
        x = MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    x = utils.top(x, include_top, pooling, classes, classifier_activation, hidden=(4096, 4096))
    model = Model(inputs, x, name=name)
    suffix = "" if include_top else "_notop"
    utils.load_weights(model, weights,
                       f"vgg{depth}_weights_tf_dim_ordering_tf_kernels{suffix}.h5",
                       f"vgg{depth}/")
    return model


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg16"):
    """VGG16: 13 conv layers in 5 blocks, then (with ``include_top``) 3 dense layers."""
    return build_vgg(16, include_top, weights, input_tensor, input_shape, pooling, classes,
                     classifier_activation, name)


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg19"):
    """VGG19: 16 conv layers in 5 blocks, then (with ``include_top``) 3 dense layers."""
    return build_vgg(19, include_top, weights, input_tensor, input_shape, pooling, classes,
                     classifier_activation, name)


def preprocess_input(x, data_format=None):
    """Caffe-style: RGB -> BGR and the ImageNet channel means subtracted."""
    import numpy as np

    x = np.asarray(x, dtype="float32")[..., ::-1]
    return x - np.array([103.939, 116.779, 123.68], dtype="float32")
