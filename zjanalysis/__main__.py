"""`python -m zjanalysis ...` is the same as the `zjanalysis` command."""

import sys

from zjanalysis.cli import main

# Guarded: Dask's worker processes are spawned, and spawning re-imports the parent's main module.
if __name__ == "__main__":
    sys.exit(main())
