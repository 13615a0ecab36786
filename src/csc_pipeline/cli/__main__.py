"""`python -m csc_pipeline.cli`: the `csc` command."""

import sys

from .main import main

sys.exit(main())
