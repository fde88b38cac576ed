"""Validate a notebook's parameters, the same way in JupyterLab, under Papermill or the renderer.

Papermill enforces no types (``-p tolerance abc`` arrives as the string "abc"), so the cell
after a notebook's ``parameters`` cell passes each value through :func:`check`.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

_KIND_WORDS = {float: "a number", int: "a whole number", str: "a text value", bool: "true or false"}


class ParameterError(ValueError):
    """A notebook parameter has a value that is not allowed; the message says which and why."""


def _describe(value: Any) -> str:
    kind = {bool: "true/false", int: "a whole number", float: "a number", str: "a string"}.get(type(value))
    return f"{value!r} ({kind or type(value).__name__})"


def check(
    name: str,
    value: Any,
    kind: type,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    choices: Iterable[Any] | None = None,
) -> Any:
    """Return ``value`` (an int given for a float comes back as float) if it is allowed.

    Raises ParameterError with one sentence naming the parameter, the value given and what is
    allowed: the wrong type (a bool is not a number; a numeric string is not a number),
    outside [minimum, maximum], or not one of ``choices``.
    """
    if kind not in _KIND_WORDS:
        raise TypeError(f"check() supports float, int, str and bool parameters, not {kind!r}")
    choices = tuple(choices) if choices is not None else None
    allowed = _allowed(kind, minimum, maximum, choices)
    ok_type = (
        isinstance(value, bool) if kind is bool
        else isinstance(value, str) if kind is str
        else isinstance(value, int) and not isinstance(value, bool) if kind is int
        else isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    )
    if not ok_type:
        raise ParameterError(f"Parameter '{name}' must be {allowed}; got {_describe(value)}.")
    if kind is float:
        value = float(value)
    if choices is not None and value not in choices:
        raise ParameterError(f"Parameter '{name}' must be {allowed}; got {_describe(value)}.")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ParameterError(f"Parameter '{name}' must be {allowed}; got {_describe(value)}.")
    return value


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
