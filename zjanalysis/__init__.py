"""zjanalysis: rebuild, check and chart the claims of the Zhejiang Internet Development Report 2018.

Importing the package is cheap and silent; heavy libraries load inside the functions that use them.
See docs/architecture.md for how the modules fit together.
"""

__version__ = "0.1.0"
