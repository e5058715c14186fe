"""Kernels the pytest plugin's tests run (`tests/pytest_plugin`): copied into a temporary
project, then collected with `--tnp-kernels=tkernels`. One module per behaviour."""
