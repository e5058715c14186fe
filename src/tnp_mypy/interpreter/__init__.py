"""The abstract interpreter over mypy nodes (see `evaluator`)."""
