"""`python -m rspl` runs the command line."""

import sys

from rspl.cli import main

sys.exit(main())
