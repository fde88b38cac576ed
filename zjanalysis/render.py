"""The batch renderer: plan runs (notebooks × parameters), skip unchanged ones, execute the rest.

Execution is the engine's (`zjanalysis.execute`: worker processes here, or a Dask cluster); the
renderer turns runs into jobs, and writes what comes back: every file atomically, the cache
after each finished run, the ledger and index at the end, all under a lock on the output
folder. Everything on the path of a no-op re-render (planning, hashing, the cache manifest)
uses the standard library only, and never starts or contacts an engine.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from zjanalysis import execute, site
from zjanalysis.versions import package_versions

CACHE_NAME = ".render-cache.json"
LOCK_NAME = ".render-lock"
LOG_DIR = ".render-logs"
EDITIONS = ("instructor", "student")
FORMATS = ("ipynb", "html")
VERSIONED = ("papermill", "ipykernel", "pandas", "matplotlib", "seaborn", "nbconvert")
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


def project_root() -> Path:
    """Return the repository folder, found from this file (not from the working directory)."""
    return Path(__file__).resolve().parents[1]


def default_notebooks() -> list[Path]:
    """Return every notebooks/*.ipynb of the project, sorted by name."""
    return sorted((project_root() / "notebooks").glob("*.ipynb"))


def resolve_notebook(text: str) -> Path:
    """Return the notebook a user named: a path, or a name such as `01_internet_users`.

    Raises RenderError naming the argument and the notebooks that exist.
    """
    path = Path(text)
    if path.is_file():
        return path.resolve()
    stem = path.name[:-6] if path.name.endswith(".ipynb") else path.name
    candidate = project_root() / "notebooks" / f"{stem}.ipynb"
    if candidate.is_file():
        return candidate
    known = ", ".join(p.stem for p in default_notebooks()) or "none"
    raise RenderError(f"Notebook {text!r} was not found; notebooks/ holds: {known}.")


def parse_value(text: str) -> Any:
    """Return a `-p` value typed as Papermill's CLI types it: True/False/None, int, float, else str."""
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
                    raise bad(f"{stem}.runs[{i}].{name}", f"{value!r} is not a number, string, "
                              "boolean or list of those")
            sets.append(dict(params))
        product = spec.get("product", {})
        if not isinstance(product, dict):
            raise bad(f"{stem}.product", "expected a mapping of parameter names to value lists")
        for name, values in product.items():
            if not isinstance(values, list) or not values:
                raise bad(f"{stem}.product.{name}", f"expected a non-empty list, got {values!r}")
            for value in values:
                if not _plain(value):
                    raise bad(f"{stem}.product.{name}", f"{value!r} is not a number, string, "
                              "boolean or list of those")
        names = sorted(product)
        if names:
            sets.extend(dict(zip(names, combo)) for combo in
                        itertools.product(*(product[n] for n in names)))
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


def plan_runs(notebooks: Iterable[Path], parameters: dict | None = None,
              grid: dict[str, list[dict]] | None = None, edition: str = "instructor") -> list[Run]:
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
                raise RenderError(f"Grid key {stem!r} names no notebook; known: "
                                  f"{', '.join(sorted(by_stem)) or 'none'}.")
            for params in grid[stem] or [{}]:
                runs.append(Run(by_stem[stem], {**params, **parameters}, "", edition))
    else:
        runs = [Run(p, dict(parameters), "", edition) for p in chosen]
    prefix = "student/" if edition == "student" else ""
    named: dict[str, Run] = {}
    for run in runs:
        name = prefix + output_name(run.notebook.stem, run.parameters)
        if name in named:
            raise RenderError(f"Runs {named[name].parameters} and {run.parameters} of "
                              f"{run.notebook.name} would both be written as {name}.")
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
    cells = [c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not cells:
        raise RenderError(f"{Path(notebook).name} has no cell tagged 'parameters', so it takes no parameters.")
    source = cells[0]["source"]
    source = "".join(source) if isinstance(source, list) else source
    declared: dict[str, object] = {}
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
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
                raise RenderError(f"Parameter {name!r} is not declared by {run.notebook.name}; "
                                  f"it declares: {allowed}.")


def library_versions() -> dict[str, str]:
    """Return the Python version and the versions of the libraries that shape a rendered notebook."""
    return package_versions(VERSIONED)


def package_folder() -> Path:
    """Return the folder of the zjanalysis source whose files are part of every run's inputs."""
    return Path(__file__).resolve().parent


def data_folder() -> Path:
    """Return the data folder the kernels will read (`zjanalysis.data.data_dir`).

    Raises RenderError when $ZJANALYSIS_DATA names no folder: every run would fail on it.
    """
    from zjanalysis import data

    try:
        return data.data_dir()
    except data.DataError as err:
        raise RenderError(str(err)) from None


def _hash_tree(digest: Any, root: Path, pattern: str) -> None:
    if not root.is_dir():
        digest.update(b"<absent>")
        return
    for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def shared_inputs_digest() -> str:
    """Return a hash of what every run reads: data files, package source, library versions."""
    digest = hashlib.sha256()
    _hash_tree(digest, data_folder(), "*")
    _hash_tree(digest, package_folder(), "*.py")
    digest.update(json.dumps(library_versions(), sort_keys=True).encode())
    return digest.hexdigest()


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
        raise RenderError(f"Notebook {name} is not UTF-8 text (byte {err.start}); "
                          "it is not a Jupyter notebook.") from None
    if not text.strip():
        raise RenderError(f"Notebook {name} is empty; a Jupyter notebook is a JSON document.")
    try:
        nb = json.loads(text)
    except ValueError as err:
        where = f"line {err.lineno}, column {err.colno}" if hasattr(err, "lineno") else "it"
        ending = " (the file ends early: truncated?)" if getattr(err, "pos", -1) >= len(text.rstrip()) else ""
        raise RenderError(f"Notebook {name} is not valid JSON at {where}: "
                          f"{getattr(err, 'msg', err)}{ending}.") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise RenderError(f"Notebook {name} is JSON but not a Jupyter notebook: it has no "
                          "list of 'cells'.")
    return nb


def run_key(run: Run, shared: str, raw: bytes | None = None) -> str:
    """Return the hash of a run's inputs: its notebook's cells (source + tags), parameters, edition.

    `raw` is the notebook's bytes when already read. Raises RenderError for a notebook that is
    not one (see `notebook_json`).
    """
    raw = read_notebook(run.notebook) if raw is None else raw
    nb = notebook_json(raw, run.notebook)
    cells = [(c.get("cell_type"), "".join(c.get("source", "")),
              sorted(c.get("metadata", {}).get("tags", []))) for c in nb.get("cells", [])]
    material = {"cells": cells, "parameters": run.parameters, "edition": run.edition,
                "kernel": nb.get("metadata", {}).get("kernelspec", {}).get("name"),
                "shared": shared}
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


def load_cache(out_dir: Path) -> dict:
    """Return the cache manifest of `out_dir` (empty when missing or unreadable)."""
    try:
        cache = json.loads((Path(out_dir) / CACHE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"version": 1, "runs": {}}
    return cache if cache.get("version") == 1 else {"version": 1, "runs": {}}


def save_cache(out_dir: Path, cache: dict) -> None:
    """Write the cache manifest atomically, keys sorted (no times: it is deterministic)."""
    site.write_atomic(Path(out_dir) / CACHE_NAME, json.dumps(cache, indent=1, sort_keys=True) + "\n")


def is_fresh(entry: dict | None, key: str, out_dir: Path, formats: Iterable[str]) -> bool:
    """Return True when `entry` succeeded with inputs `key` and every wanted output exists."""
    if not entry or entry.get("status") != "ok" or entry.get("key") != key:
        return False
    outputs = entry.get("outputs", {})
    return all(fmt in outputs and (Path(out_dir) / outputs[fmt]).exists() for fmt in formats)


def prepare_out(out_dir: Path) -> Path:
    """Create `out_dir` if needed and prove it is writable; raise RenderError saying why not.

    Also removes temporary files an interrupted render left: call it holding the folder's lock.
    """
    out_dir = Path(out_dir)
    problem = site.prepare_folder(out_dir)
    if problem:
        raise RenderError(problem)
    return out_dir


class OutputLock:
    """An exclusive lock on an output folder for a whole render (flock on DIR/.render-lock).

    A second render into the same folder waits, after saying why through `notify`, or with
    `wait=False` raises RenderError. The lock file names the holder (pid and start time); the
    kernel releases the lock when its process ends, however it ends. Without fcntl (not POSIX):
    no lock.
    """

    def __init__(self, out_dir: Path, *, wait: bool = True,
                 notify: Callable[[str], None] | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.wait = wait
        self.notify = notify or (lambda text: print(text, file=sys.stderr, flush=True))
        self._fd: int | None = None

    def __enter__(self) -> "OutputLock":
        try:
            import fcntl
        except ImportError:
            return self
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.out_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise RenderError(f"Cannot write to --out {self.out_dir}: "
                              f"{err.strerror or err}.") from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "pid unknown"
                if not self.wait:
                    raise RenderError(f"Another render ({holder}) is writing into "
                                      f"{self.out_dir}; not waiting because of --no-wait. Run "
                                      "again when it has finished.") from None
                self.notify(f"zjanalysis render: another render ({holder}) is writing into "
                            f"{self.out_dir}; waiting for it to finish (Ctrl-C stops; "
                            "--no-wait refuses instead of waiting).")
                fcntl.flock(fd, fcntl.LOCK_EX)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}, started {time.strftime('%H:%M:%S')}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)   # closing the descriptor releases the flock
            self._fd = None


@dataclass
class Outcome:
    """What became of one run: status is ok, cached, failed or timed out."""

    name: str
    status: str
    seconds: float = 0.0
    message: str = ""


@dataclass
class BatchResult:
    """The outcomes of a batch, in plan order; `interrupted` when Ctrl-C stopped it."""

    outcomes: list[Outcome]
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        """True when no run failed or timed out and the batch was not interrupted."""
        return not self.interrupted and all(o.status in ("ok", "cached") for o in self.outcomes)


def render(runs: list[Run], out_dir: Path, *, jobs: int | None = None, timeout: float = 600,
           force: bool = False, formats: Iterable[str] = FORMATS, progress: bool = True,
           prewarm: bool = True, zygote: bool = True, engine: str = "local",
           scheduler: str | None = None, wait: bool = True) -> BatchResult:
    """Render `runs` into `out_dir`, skipping those whose inputs and outputs are unchanged.

    The rest go to the engine `engine` ("local" or "dask"; `scheduler` is a Dask scheduler's
    address, else a local Dask cluster of `jobs` workers). The folder is locked for the whole
    render (`wait=False`: refuse instead of waiting for another render). Returns a BatchResult;
    the cache manifest is updated after every finished run and the ledger and index are
    rewritten at the end (also after Ctrl-C, which sets `interrupted`). Raises RenderError for
    an unknown format, a bad output folder, a notebook that is not one, an undeclared
    parameter, or an engine that cannot run (its one-sentence reason).
    """
    formats = tuple(formats)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise RenderError(f"Format {', '.join(unknown) or '(none)'} is unknown; allowed: "
                          f"{', '.join(FORMATS)}.")
    if engine not in execute.ENGINES:
        raise RenderError(f"Engine {engine!r} is unknown; allowed: {', '.join(execute.ENGINES)}.")
    if scheduler is not None and engine != "dask":
        raise RenderError("--scheduler needs --engine dask; the local engine runs on this "
                          "machine only.")
    with OutputLock(out_dir, wait=wait):
        out_dir = prepare_out(out_dir)
        try:
            return _render_locked(runs, out_dir, jobs=jobs, timeout=timeout, force=force,
                                  formats=formats, progress=progress, prewarm=prewarm,
                                  zygote=zygote, engine=engine, scheduler=scheduler)
        finally:
            site.remove_temp_files(out_dir)


def _render_locked(runs: list[Run], out_dir: Path, *, jobs: int | None, timeout: float,
                   force: bool, formats: tuple[str, ...], progress: bool, prewarm: bool,
                   zygote: bool, engine: str, scheduler: str | None) -> BatchResult:
    for run in runs:
        output_path(out_dir, run.name + ".ipynb")
    cache = load_cache(out_dir)
    shared = shared_inputs_digest()
    raw: dict[Path, bytes] = {}
    for run in runs:
        if run.notebook not in raw:
            raw[run.notebook] = read_notebook(run.notebook)
    keys = {run.name: run_key(run, shared, raw[run.notebook]) for run in runs}
    todo = [r for r in runs if force or not is_fresh(cache["runs"].get(r.name), keys[r.name],
                                                        out_dir, formats)]
    outcomes = {r.name: Outcome(r.name, "cached") for r in runs if r not in todo}
    interrupted = False
    if todo:
        check_parameters(todo)
        interrupted = _execute(todo, keys, raw, out_dir, cache, outcomes, jobs=jobs,
                               timeout=timeout, formats=formats, progress=progress,
                               prewarm=prewarm, zygote=zygote, engine=engine,
                               scheduler=scheduler)
    site.write_site(out_dir, cache["runs"])
    ordered = [outcomes[r.name] for r in runs if r.name in outcomes]
    return BatchResult(ordered, interrupted)


def make_job(run: Run, raw: bytes, out_dir: Path, *, timeout: float, formats: tuple[str, ...],
             data: "execute.DataBundle | None") -> "execute.Job":
    """Return the engine job for `run`: the notebook's bytes, its parameters, edition, limits
    (`timeout` per cell and per run), formats, the data bundle, and the paths Papermill's
    metadata records (relative to the output, so renders do not depend on where they ran)."""
    target = output_path(out_dir, run.name + ".ipynb")
    return execute.Job(
        name=run.name, kind="render", notebook=raw, parameters=dict(run.parameters),
        edition=run.edition, limits=execute.Limits(cell_timeout=timeout, run_timeout=timeout),
        outputs=tuple(f for f in FORMATS if f in formats), data=data,
        options={"input_path": os.path.relpath(run.notebook, target.parent),
                 "output_path": target.name})


def _execute(todo: list[Run], keys: dict[str, str], raw: dict[Path, bytes], out_dir: Path,
             cache: dict, outcomes: dict[str, Outcome], *, jobs: int | None, timeout: float,
             formats: tuple[str, ...], progress: bool, prewarm: bool, zygote: bool,
             engine: str, scheduler: str | None) -> bool:
    """Run `todo` on the engine, writing each result as it comes; return True after Ctrl-C."""
    from tqdm import tqdm

    data = execute.DataBundle.from_folder(data_folder())
    work = [make_job(run, raw[run.notebook], out_dir, timeout=timeout, formats=formats,
                     data=data) for run in todo]
    by_name = {run.name: run for run in todo}
    running: list[str] = []
    try:
        runner = execute.open_engine(engine, workers=jobs, scheduler=scheduler, zygote=zygote,
                                     prewarm=prewarm)
    except execute.EngineError as err:
        raise RenderError(str(err)) from None
    except KeyboardInterrupt:
        return True
    bar = tqdm(total=len(todo), file=sys.stderr, unit="run", disable=not progress,
               desc="render", dynamic_ncols=True)

    def started(job: "execute.Job") -> None:
        running.append(job.name)
        bar.set_postfix_str(", ".join(running[-3:]))

    try:
        with runner:
            for result in runner.run(work, started=started):
                run = by_name[result.name]
                outcomes[run.name] = record_result(result, run, keys[run.name], out_dir, cache)
                if run.name in running:
                    running.remove(run.name)
                bar.set_postfix_str(", ".join(running[-3:]))
                bar.update(1)
        return False
    except execute.EngineError as err:
        raise RenderError(str(err)) from None
    except KeyboardInterrupt:
        return True
    finally:
        bar.close()


def record_result(result: "execute.Result", run: Run, key: str, out_dir: Path,
                  cache: dict) -> Outcome:
    """Write what the engine returned for `run` (notebook, page, log), atomically, and record it
    in the cache when a notebook came back; return its Outcome."""
    outputs = {}
    root = Path(out_dir).resolve()
    if result.notebook:
        target = output_path(out_dir, run.name + ".ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        site.write_atomic(target, result.notebook)
        outputs["ipynb"] = target.relative_to(root).as_posix()
        if result.html:
            page = target.with_suffix(".html")
            site.write_atomic(page, result.html)
            outputs["html"] = page.relative_to(root).as_posix()
    if result.log:
        log = output_path(Path(out_dir) / LOG_DIR, run.name + ".log")
        log.parent.mkdir(parents=True, exist_ok=True)
        site.write_atomic(log, result.log)
    message = result.message
    if result.attempts > 1 and "worker" not in message:     # (a lost worker's own message)
        note = f"started {result.attempts} times: a worker was lost while running it"
        message = f"{message} ({note})" if message else note
    if outputs:
        cache["runs"][run.name] = {
            "key": key, "status": result.status,
            "notebook": os.path.relpath(run.notebook, project_root()),
            "parameters": run.parameters, "edition": run.edition,
            "findings": result.findings, "network": result.extra.get("network", []), "outputs": outputs}
        save_cache(out_dir, cache)
    return Outcome(run.name, result.status, result.seconds, message)


def summary_table(result: BatchResult) -> str:
    """Return the closing table: run, status, seconds, and a note for runs that did not succeed."""
    rows = [("run", "status", "seconds")] + [
        (o.name, o.status, f"{o.seconds:.1f}") for o in result.outcomes]
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{a.ljust(width[0])}  {b.ljust(width[1])}  {c.rjust(width[2])}" for a, b, c in rows]
    lines.insert(1, "  ".join("-" * w for w in width))
    for o in result.outcomes:
        if o.message:
            lines.append(f"{o.name}: {o.message}")
    if result.interrupted:
        lines.append("Interrupted: runs not listed did not finish; the next render resumes.")
    return "\n".join(lines) + "\n"

