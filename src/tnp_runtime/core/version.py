"""tnp's version, written once: pyproject.toml reads it (`[tool.setuptools.dynamic]`), the
package exports it (`tnp_runtime.__version__`), and the mypy plugin puts it in mypy's cache key
without a metadata lookup at each run (`importlib.metadata` costs a mypy run about 8 ms)."""

# A plain assignment, which setuptools reads without importing the package.
VERSION = "0.1.0"
