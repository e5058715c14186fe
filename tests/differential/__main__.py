"""`python -m tests.differential --count 20000 --seed S`: see run.py."""

import sys

from tests.differential.run import main

sys.exit(main())
