"""Dims declared in one module, re-exported by the package, imported by a case."""

from tnp_runtime import FullDim

M, N = FullDim("M", 8), FullDim("N", 8)
