"""The render cache: which runs are fresh, keyed on everything a run reads.

A run's key hashes its notebook's cells, its parameters and edition, and the inputs every run
shares (the data folder, the package's source, the versions of the libraries that shape a
rendered notebook). The cache (`DIR/.render-cache.json`) maps each run to its key, status and
output files, the run record among them; it copies nothing the record holds. It also keeps the
key of the site last built, so a render with nothing to do rewrites nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from zjanalysis import atomic, paths
from zjanalysis.render.plan import RenderError, Run, notebook_json, read_notebook
from zjanalysis.versions import files_sha256, package_versions, tree_files, tree_sha256

CACHE_NAME = ".render-cache.json"
CACHE_VERSION = 2
VERSIONED = ("papermill", "ipykernel", "pandas", "matplotlib", "seaborn", "nbconvert")


def library_versions() -> dict[str, str]:
    """The versions of Python and of the libraries that shape a rendered notebook."""
    return package_versions(VERSIONED)


def data_folder() -> Path:
    """Return the data folder the kernels will read (`zjanalysis.data.data_dir`).

    Raises RenderError when $ZJANALYSIS_DATA names no folder: every run would fail on it.
    """
    from zjanalysis import data

    try:
        return data.data_dir()
    except data.DataError as err:
        raise RenderError(str(err)) from None


def input_digests() -> dict[str, str]:
    """The digests of what every run reads: the data folder (the same digest as the data
    bundle the engine ships) and the package's Python source."""
    return {"data": tree_sha256(data_folder(), "*"), "package": tree_sha256(paths.package_dir())}


def shared_inputs_digest(
    digests: dict[str, str] | None = None, versions: dict[str, str] | None = None
) -> str:
    """Return a hash of what every run reads: data files, package source, library versions."""
    material = {"inputs": digests or input_digests(), "versions": versions or library_versions()}
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def run_key(run: Run, shared: str, raw: bytes | None = None) -> str:
    """Return the hash of a run's inputs: its notebook's cells (source + tags), parameters, edition.

    `raw` is the notebook's bytes when already read. Raises RenderError for a notebook that is
    not one (see `notebook_json`).
    """
    raw = read_notebook(run.notebook) if raw is None else raw
    nb = notebook_json(raw, run.notebook)
    cells = [
        (
            c.get("cell_type"),
            "".join(c.get("source", "")),
            sorted(c.get("metadata", {}).get("tags", [])),
        )
        for c in nb.get("cells", [])
    ]
    material = {
        "cells": cells,
        "parameters": run.parameters,
        "edition": run.edition,
        "kernel": nb.get("metadata", {}).get("kernelspec", {}).get("name"),
        "shared": shared,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


def load_cache(out_dir: Path) -> dict:
    """Return the cache manifest of `out_dir` (empty when missing, unreadable or of another
    version: everything then runs again)."""
    empty = {"version": CACHE_VERSION, "runs": {}, "site": ""}
    try:
        cache = json.loads((Path(out_dir) / CACHE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty
    return cache if isinstance(cache, dict) and cache.get("version") == CACHE_VERSION else empty


def save_cache(out_dir: Path, cache: dict) -> None:
    """Write the cache manifest atomically, keys sorted (no times: it is deterministic)."""
    atomic.write_atomic(
        Path(out_dir) / CACHE_NAME, json.dumps(cache, indent=1, sort_keys=True) + "\n"
    )


def is_fresh(entry: dict | None, key: str, out_dir: Path, formats: Iterable[str]) -> bool:
    """Return True when `entry` succeeded with inputs `key` and every wanted output, its run
    record among them (and its page without code when pages are wanted), exists."""
    if not entry or entry.get("status") != "ok" or entry.get("key") != key:
        return False
    outputs = entry.get("outputs", {})
    wanted = (*formats, "record", *(("reader",) if "html" in formats else ()))
    return all(fmt in outputs and (Path(out_dir) / outputs[fmt]).exists() for fmt in wanted)


def site_key(out_dir: Path, shared: str) -> str:
    """A hash of what the site is built from: every run record in `out_dir` (names and bytes)
    and the package (its code through `shared`, and its page templates). The site is rebuilt
    only when it changed, or when a site file is missing."""
    from zjanalysis import records

    files = tree_files(out_dir, f"*{records.SUFFIX}")
    templates = tree_sha256(paths.package_dir() / "templates", "*")
    return hashlib.sha256((shared + templates + files_sha256(files)).encode()).hexdigest()
