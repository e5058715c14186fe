"""The differential test of tile loops proved by induction against unrolling (run.py)."""
