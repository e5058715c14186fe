"""Differential testing of tnp against an independent NumPy oracle (see run.py)."""
