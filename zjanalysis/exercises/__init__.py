"""The exercises of every theme notebook, one module per theme (``<theme>.py``).

Importing this package imports every module in it, so that their ``@teach.exercise``
decorators fill the registry; :func:`zjanalysis.teach.check` does this on first use. Modules
are imported in name order so that a duplicated id is always reported the same way. See
:mod:`zjanalysis.teach` for how to write an exercise.
"""

from __future__ import annotations

import importlib
import pkgutil

THEMES: tuple[str, ...] = tuple(
    sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))
)

for _theme in THEMES:
    importlib.import_module(f"{__name__}.{_theme}")
