"""`python -m tnp_runtime.fix PATH...`: the same as `tnp fix PATH...`."""

import sys

from tnp_runtime.fix.cli import main

sys.exit(main(prog="python -m tnp_runtime.fix"))
