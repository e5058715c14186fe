"""Imports a kernel without defining one: nothing of this module is collected."""

from tkernels.good import double

__all__ = ["double"]
