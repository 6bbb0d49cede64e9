"""Training: optimizers, checkpoints."""
