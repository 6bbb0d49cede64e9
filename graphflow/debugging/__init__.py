"""Numeric checks: ``tf.debugging``."""
