"""`python -m zjanalysis ...` is the same as the `zjanalysis` command."""
import sys

from zjanalysis.cli import main

sys.exit(main())
