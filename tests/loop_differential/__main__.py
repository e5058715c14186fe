"""`python -m tests.loop_differential --count 1000 --seed S`: see run.py."""

import sys

from tests.loop_differential.run import main

sys.exit(main())
