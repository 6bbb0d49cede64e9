"""TF1's error classes, plus where a user's code created an op.

``user_frame`` walks out of graphflow's (and keras_frontend's) own frames so every error can
point at the line the user wrote, not at the engine's internals.
"""

import os
import sys

_PACKAGE_DIRS = tuple(
    os.path.dirname(os.path.abspath(p))
    for p in (__file__, os.path.join(os.path.dirname(os.path.dirname(__file__)),
                                     "keras_frontend", "__init__.py"))
)


def user_frame():
    """(filename, lineno) of the innermost frame outside graphflow and keras_frontend."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIRS) and not filename.startswith("<frozen"):
            return filename, frame.f_lineno
        frame = frame.f_back
    return "<unknown>", 0


def format_site(site):
    return f"{site[0]}:{site[1]}" if site else "<unknown>"


class OpError(Exception):
    """An error raised while running an op, as in ``tf.errors.OpError``."""

    def __init__(self, node_def=None, op=None, message=""):
        super().__init__(message)
        self.node_def = node_def
        self.op = op
        self.message = message


class InvalidArgumentError(OpError, ValueError):
    pass


class FailedPreconditionError(OpError):
    pass


class NotFoundError(OpError):
    pass


class OutOfRangeError(OpError):
    pass


class ResourceExhaustedError(OpError):
    pass


class UnknownError(OpError):
    pass


class CancelledError(OpError):
    pass


class DataLossError(OpError):
    pass


def op_description(op):
    """Op name, type and creation site, as every error message states them."""
    return f"'{op.name}' (type {op.type}), defined at {format_site(op.source)}"
