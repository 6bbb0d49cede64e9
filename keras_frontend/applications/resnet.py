"""ResNet50 (He et al., 2015) with Keras's layer names, and a small ResNet for CPUs."""

from ..layers import Activation, Add, BatchNormalization, Conv2D, MaxPooling2D, ZeroPadding2D
from ..models import Model
from . import imagenet_utils as utils


def _block(x, filters, stride, conv_shortcut, name):
    """A bottleneck residual block: 1x1, 3x3, 1x1 convolutions plus the shortcut."""
    if conv_shortcut:
        shortcut = Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(x)
        shortcut = BatchNormalization(epsilon=1.001e-5, name=name + "_0_bn")(shortcut)
    else:
        shortcut = x
    x = Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
    x = BatchNormalization(epsilon=1.001e-5, name=name + "_1_bn")(x)
    x = Activation("relu", name=name + "_1_relu")(x)
    x = Conv2D(filters, 3, padding="same", name=name + "_2_conv")(x)
    x = BatchNormalization(epsilon=1.001e-5, name=name + "_2_bn")(x)
    x = Activation("relu", name=name + "_2_relu")(x)
    x = Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    x = BatchNormalization(epsilon=1.001e-5, name=name + "_3_bn")(x)
    x = Add(name=name + "_add")([shortcut, x])
    return Activation("relu", name=name + "_out")(x)


def _stack(x, filters, blocks, stride, name):
    x = _block(x, filters, stride, True, name + "_block1")
    for i in range(2, blocks + 1):
        x = _block(x, filters, 1, False, name + f"_block{i}")
    return x


def build_resnet(stacks, include_top, weights, input_tensor, input_shape, pooling, classes,
                 classifier_activation, name, width=64, file_name=None):
    utils.check_arguments(weights, include_top, classes)
    if weights == "imagenet":
        utils.weights_path(weights, file_name, "resnet/")
    inputs = utils.model_input(input_tensor, input_shape, include_top, 224, 32, weights)
    x = ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(inputs)
    x = Conv2D(width, 7, strides=2, name="conv1_conv")(x)
    x = BatchNormalization(epsilon=1.001e-5, name="conv1_bn")(x)
    x = Activation("relu", name="conv1_relu")(x)
    x = ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for i, blocks in enumerate(stacks):
        x = _stack(x, width * 2 ** i, blocks, 1 if i == 0 else 2, f"conv{i + 2}")
    x = utils.top(x, include_top, pooling, classes, classifier_activation)
    model = Model(inputs, x, name=name)
    utils.load_weights(model, weights, file_name, "resnet/")
    return model


def ResNet50(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="resnet50"):
    suffix = "" if include_top else "_notop"
    return build_resnet((3, 4, 6, 3), include_top, weights, input_tensor, input_shape, pooling,
                        classes, classifier_activation, name,
                        file_name=f"resnet50_weights_tf_dim_ordering_tf_kernels{suffix}.h5")


def SmallResNet(include_top=True, weights=None, input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="small_resnet"):
    """ResNet50's design at a quarter of the width and one block per stage: trains on CPUs.
    It has no published weights; ``weights`` may be a path to a weights file of it."""
    if weights == "imagenet":
        raise ValueError("SmallResNet has no ImageNet weights: pass weights=None or a path.")
    return build_resnet((1, 1, 1, 1), include_top, weights, input_tensor, input_shape, pooling,
                        classes, classifier_activation, name, width=16)
