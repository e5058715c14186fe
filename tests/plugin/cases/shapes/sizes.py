"""Dims declared in one module, re-exported by the package, imported by a case."""

from typing import Final

from tnp_runtime import FullDim

M, N = FullDim("M", 8), FullDim("N", 8)

# Tile sizes for `imports_constants.py`: mypy keeps another module's number only if `Final`.
TILE_FINAL: Final = 4
TILE_PLAIN = 4
