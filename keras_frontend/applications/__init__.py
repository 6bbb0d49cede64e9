"""Applications: VGG16, VGG19, ResNet50 and SmallResNet (weights=None builds them)."""

from . import resnet, vgg16, vgg19
from .resnet import ResNet50, SmallResNet
from .vgg16 import VGG16
from .vgg19 import VGG19

__all__ = ["VGG16", "VGG19", "ResNet50", "SmallResNet", "vgg16", "vgg19", "resnet"]
