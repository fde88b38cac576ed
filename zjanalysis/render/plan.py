"""Planning a render: which runs to make, what each is called, and which parameters it may take.

A run is one notebook with one set of parameters (from `-p`, a grid file or neither), written
as `<out>/<name>.*`. Planning reads notebooks (to check they are notebooks and which parameters
they declare) but runs nothing, and uses the standard library only, so the no-op render stays
fast.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zjanalysis import paths

EDITIONS = ("instructor", "student")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_MAX_NAME = 150


class RenderError(ValueError):
    """A render cannot be planned: a bad notebook name, parameter, grid file or output folder."""


@dataclass(frozen=True)
class Run:
    """One execution: a source notebook with parameters, written to `<out>/<name>.*`."""

    notebook: Path
    parameters: dict = field(default_factory=dict, hash=False)
    name: str = ""
    edition: str = "instructor"


def default_notebooks() -> list[Path]:
    """Return every notebooks/*.ipynb of the project, sorted by name."""
    return sorted((paths.notebooks_dir()).glob("*.ipynb"))


def resolve_notebook(text: str) -> Path:
    """Return the notebook a user named: a path, or a name such as `01_internet_users`.

    Raises RenderError naming the argument and the notebooks that exist.
    """
    path = Path(text)
    if path.is_file():
        return path.resolve()
    stem = path.name[:-6] if path.name.endswith(".ipynb") else path.name
    candidate = paths.notebooks_dir() / f"{stem}.ipynb"
    if candidate.is_file():
        return candidate
    known = ", ".join(p.stem for p in default_notebooks()) or "none"
    raise RenderError(f"Notebook {text!r} was not found; notebooks/ holds: {known}.")


def parse_value(text: str) -> Any:
    """A `-p` value typed as Papermill's CLI types it: True/False/None, int, float, else str."""
    if text in ("True", "False"):
        return text == "True"
    if text == "None":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _plain(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    return isinstance(value, list) and all(
        v is None or isinstance(v, (bool, int, float, str)) for v in value
    )


def load_grid(path: Path) -> dict[str, list[dict]]:
    """Read a grid file: {notebook stem: {runs: [params, ...], product: {name: [values]}}}.

    Returns notebook stem -> list of parameter sets (runs first, then the product in sorted-key
    order). Raises RenderError naming the file, the key and the reason for anything else.
    """
    import yaml

    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise RenderError(f"Grid file {path} could not be read: {err}") from None

    def bad(key: str, reason: str) -> RenderError:
        return RenderError(f"Grid file {path}, key {key!r}: {reason}.")

    if not isinstance(doc, dict) or not doc:
        raise RenderError(f"Grid file {path} must map notebook names to runs; it holds {doc!r}.")
    grid: dict[str, list[dict]] = {}
    for stem, spec in doc.items():
        if not isinstance(spec, dict) or not spec or set(spec) - {"runs", "product"}:
            raise bad(str(stem), "expected a mapping with 'runs' and/or 'product'")
        sets: list[dict] = []
        runs = spec.get("runs", [])
        if not isinstance(runs, list) or not all(isinstance(r, dict) for r in runs):
            raise bad(f"{stem}.runs", "expected a list of parameter mappings")
        for i, params in enumerate(runs):
            for name, value in params.items():
                if not _plain(value):
                    raise bad(
                        f"{stem}.runs[{i}].{name}",
                        f"{value!r} is not a number, string, boolean or list of those",
                    )
            sets.append(dict(params))
        product = spec.get("product", {})
        if not isinstance(product, dict):
            raise bad(f"{stem}.product", "expected a mapping of parameter names to value lists")
        for name, values in product.items():
            if not isinstance(values, list) or not values:
                raise bad(f"{stem}.product.{name}", f"expected a non-empty list, got {values!r}")
            for value in values:
                if not _plain(value):
                    raise bad(
                        f"{stem}.product.{name}",
                        f"{value!r} is not a number, string, boolean or list of those",
                    )
        names = sorted(product)
        if names:
            sets.extend(
                dict(zip(names, combo, strict=True))
                for combo in itertools.product(*(product[n] for n in names))
            )
        grid[str(stem)] = sets
    return grid


def _value_text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, list):
        return ",".join(_value_text(v) for v in value)
    return str(value)


def output_name(stem: str, parameters: dict) -> str:
    """Return a stable, readable output name: `stem__key-value__...` (keys sorted).

    Characters outside [A-Za-z0-9._-] become '_'; a very long name is cut and given a short hash
    so two parameter sets never share a name.
    """
    parts = [stem] + [f"{k}-{_value_text(parameters[k])}" for k in sorted(parameters)]
    name = _UNSAFE.sub("_", "__".join(parts)).lstrip(".") or "_"
    if len(name) > _MAX_NAME:
        digest = hashlib.sha256(json.dumps(parameters, sort_keys=True).encode()).hexdigest()[:10]
        name = f"{name[:_MAX_NAME]}__{digest}"
    return name


def output_path(out_dir: Path, relative: str) -> Path:
    """Return `out_dir/relative`, raising RenderError if it would land outside `out_dir`."""
    root = Path(out_dir).resolve()
    target = (root / relative).resolve()
    if root not in target.parents:
        raise RenderError(f"Output name {relative!r} would be written outside --out {out_dir}.")
    return target


def plan_runs(
    notebooks: Iterable[Path],
    parameters: dict | None = None,
    grid: dict[str, list[dict]] | None = None,
    edition: str = "instructor",
) -> list[Run]:
    """Return the runs to make: each notebook once (or once per grid set), `parameters` on top.

    With a grid, only notebooks the grid names run (restricted to `notebooks` when given).
    Raises RenderError for an unknown edition, a grid key without a notebook, or two runs that
    would share an output name.
    """
    if edition not in EDITIONS:
        raise RenderError(f"Edition {edition!r} is unknown; allowed: {', '.join(EDITIONS)}.")
    parameters = dict(parameters or {})
    chosen = list(notebooks)
    runs: list[Run] = []
    if grid is not None:
        by_stem = {p.stem: p for p in (chosen or default_notebooks())}
        for stem in grid:
            if stem not in by_stem:
                if chosen:
                    continue
                raise RenderError(
                    f"Grid key {stem!r} names no notebook; known: "
                    f"{', '.join(sorted(by_stem)) or 'none'}."
                )
            for params in grid[stem] or [{}]:
                runs.append(Run(by_stem[stem], {**params, **parameters}, "", edition))
    else:
        runs = [Run(p, dict(parameters), "", edition) for p in chosen]
    prefix = "student/" if edition == "student" else ""
    named: dict[str, Run] = {}
    for run in runs:
        name = prefix + output_name(run.notebook.stem, run.parameters)
        if name in named:
            raise RenderError(
                f"Runs {named[name].parameters} and {run.parameters} of "
                f"{run.notebook.name} would both be written as {name}."
            )
        named[name] = Run(run.notebook, run.parameters, name, edition)
    return list(named.values())


def declared_parameters(notebook: Path) -> dict[str, object]:
    """Return name -> default for the assignments in a notebook's cell tagged ``parameters``.

    Read with Python's own parser: Papermill's reader skips a line whose comment holds "=",
    and would then call a declared parameter unknown. A default that is not a literal is
    returned as its source text. Raises RenderError when the notebook has no such cell.
    """
    import ast

    nb = notebook_json(read_notebook(notebook), notebook)
    cells = [
        c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    if not cells:
        raise RenderError(
            f"{Path(notebook).name} has no cell tagged 'parameters', so it takes no parameters."
        )
    source = cells[0]["source"]
    source = "".join(source) if isinstance(source, list) else source
    declared: dict[str, object] = {}
    for node in ast.parse(source).body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        for target in targets:
            if isinstance(target, ast.Name) and getattr(node, "value", None) is not None:
                try:
                    declared[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    declared[target.id] = ast.get_source_segment(source, node.value)
    return declared


def check_parameters(runs: Iterable[Run]) -> None:
    """Refuse a parameter a notebook does not declare (Papermill would only warn).

    Raises RenderError naming the parameter, the notebook and what it declares.
    """
    declared: dict[Path, set] = {}
    for run in (r for r in runs if r.parameters):
        if run.notebook not in declared:
            declared[run.notebook] = set(declared_parameters(run.notebook))
        for name in sorted(run.parameters):
            if name not in declared[run.notebook]:
                allowed = ", ".join(sorted(declared[run.notebook])) or "no parameters"
                raise RenderError(
                    f"Parameter {name!r} is not declared by {run.notebook.name}; "
                    f"it declares: {allowed}."
                )


def read_notebook(path: Path) -> bytes:
    """Return a notebook file's bytes; RenderError (one sentence) when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise RenderError(f"Notebook {path} cannot be read: {err.strerror or err}.") from None


def notebook_json(raw: bytes, path: Path) -> dict:
    """Return the notebook JSON in `raw` (read from `path`), or raise RenderError saying in one
    sentence what is wrong: not UTF-8, not JSON (truncated?), or not a notebook."""
    name = Path(path).name
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise RenderError(
            f"Notebook {name} is not UTF-8 text (byte {err.start}); it is not a Jupyter notebook."
        ) from None
    if not text.strip():
        raise RenderError(f"Notebook {name} is empty; a Jupyter notebook is a JSON document.")
    try:
        nb = json.loads(text)
    except ValueError as err:
        where = f"line {err.lineno}, column {err.colno}" if hasattr(err, "lineno") else "it"
        ending = (
            " (the file ends early: truncated?)"
            if getattr(err, "pos", -1) >= len(text.rstrip())
            else ""
        )
        raise RenderError(
            f"Notebook {name} is not valid JSON at {where}: {getattr(err, 'msg', err)}{ending}."
        ) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise RenderError(
            f"Notebook {name} is JSON but not a Jupyter notebook: it has no list of 'cells'."
        )
    return nb
