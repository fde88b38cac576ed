"""Validate a notebook's parameters, the same way in JupyterLab, under Papermill or the renderer.

Papermill enforces no types (``-p tolerance abc`` arrives as the string "abc"), so the cell
after a notebook's ``parameters`` cell passes each value through :func:`check`, which also
remembers the values it let through for the run record (:func:`checked`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

_KIND_WORDS = {float: "a number", int: "a whole number", str: "a text value", bool: "true or false"}
# The values this process's notebook validated, by name: what its run record reports as the
# run's parameters (the last value wins when a cell is run again in JupyterLab).
_CHECKED: dict[str, Any] = {}


class ParameterError(ValueError):
    """A notebook parameter has a value that is not allowed; the message says which and why."""


def _describe(value: Any) -> str:
    """The value as given, with what kind of thing it is (used when its type is the problem)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} (not a finite number)"
    kind = {bool: "true/false", int: "a whole number", float: "a number", str: "a string"}.get(
        type(value)
    )
    return f"{value!r} ({kind or type(value).__name__})"


def _type_ok(value: Any, kind: type) -> bool:
    if kind is bool:
        return isinstance(value, bool)
    if kind is str:
        return isinstance(value, str)
    # A bool is an int to Python but never a number to a reader; a numeric string is refused
    # because Papermill's -p already passes typed values, so "0.1" means the value was quoted.
    if isinstance(value, bool):
        return False
    if kind is int:
        return isinstance(value, int)
    return isinstance(value, (int, float)) and math.isfinite(value)


def check(
    name: str,
    value: Any,
    kind: type,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    choices: Iterable[Any] | None = None,
) -> Any:
    """Return ``value`` if it is allowed (an int given for a float parameter comes back as a float).

    ``kind`` is one of float, int, str, bool. Raises ParameterError with one sentence naming the
    parameter, the value given and what is allowed, e.g. "Parameter 'tolerance' must be a number
    from 0 to 0.5; got 'abc' (a string)." when the value has the wrong type (a bool is not a
    number, a numeric string is not a number), lies outside [minimum, maximum], or is not one of
    ``choices``. Raises TypeError for an unsupported ``kind`` (a mistake in the notebook).
    """
    if kind not in _KIND_WORDS:
        raise TypeError(f"check() supports float, int, str and bool parameters, not {kind!r}")
    choices = tuple(choices) if choices is not None else None
    allowed = _allowed(kind, minimum, maximum, choices)
    if not _type_ok(value, kind):
        raise ParameterError(f"Parameter '{name}' must be {allowed}; got {_describe(value)}.")
    if kind is float:
        value = float(value)
    outside = (minimum is not None and value < minimum) or (maximum is not None and value > maximum)
    if (choices is not None and value not in choices) or outside:
        raise ParameterError(f"Parameter '{name}' must be {allowed}; got {value!r}.")
    _CHECKED[name] = value
    return value


def checked() -> dict[str, Any]:
    """Every parameter ``check`` has let through in this process, name to value, sorted by name."""
    return dict(sorted(_CHECKED.items()))


def _allowed(kind: type, minimum, maximum, choices) -> str:
    if choices is not None:
        return "one of " + ", ".join(repr(c) for c in choices)
    words = _KIND_WORDS[kind]
    if minimum is not None and maximum is not None:
        return f"{words} from {minimum:g} to {maximum:g}"
    if minimum is not None:
        return f"{words} of at least {minimum:g}"
    if maximum is not None:
        return f"{words} of at most {maximum:g}"
    return words
