"""Load the claim registry, the reference tables and their sources: the only module that reads
``data/``.

Every file is checked against ``data/datapackage.json`` (a Frictionless Data Package) the first
time it is loaded in a process; a bad file raises :class:`DataError` naming the file, the row and
the column. Loaded tables are cached per process, keyed on the files' modification times, so an
edited file is picked up on the next call. Nothing here ever writes into ``data/``.

pandas and frictionless are imported inside the functions that need them.
"""

from __future__ import annotations

import csv
import difflib
import json
import math
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zjanalysis import paths

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ENV_VAR",
    "THEMES",
    "SHORT_THEMES",
    "CONVERSIONS",
    "chinese_release",
    "DataError",
    "data_dir",
    "claims",
    "claim",
    "reference",
    "lookup",
    "sources",
    "source_label",
    "source_warnings",
    "clear_cache",
]

ENV_VAR = "ZJANALYSIS_DATA"

# Reading order of the theme notebooks (notebooks/NN_<theme>.ipynb, NN = position + 1).
THEMES = (
    "internet_users",
    "broadband",
    "digital_economy",
    "ecommerce",
    "innovation_talent",
    "digital_government",
    "public_services",
    "cyberspace_security",
)

# The first part of a claim id names its theme; innovation_talent covers two topics.
SHORT_THEMES: dict[str, tuple[str, ...]] = {
    "internet_users": ("netizens",),
    "broadband": ("broadband",),
    "digital_economy": ("digecon",),
    "ecommerce": ("ecommerce",),
    "innovation_talent": ("innovation", "talent"),
    "digital_government": ("gov",),
    "public_services": ("services",),
    "cyberspace_security": ("security",),
}

# (unit as the source prints it, canonical unit) -> factor. Sources print Chinese counting units
# (万 = 10 thousand, 亿 = 100 million); the project computes in millions and billions. Decimal keeps
# the converted value equal to the number a reader would write (10306.7 / 10 == 1030.67 exactly).
CONVERSIONS: dict[tuple[str, str], Decimal] = {
    ("10 thousand persons", "million persons"): Decimal("0.01"),
    ("100 million persons", "million persons"): Decimal("100"),
    ("10 thousand users", "million users"): Decimal("0.01"),
    ("10 thousand subscribers", "million subscribers"): Decimal("0.01"),
    ("100 million subscribers", "million subscribers"): Decimal("100"),
    ("100 million yuan", "billion yuan"): Decimal("0.1"),
    ("trillion yuan", "billion yuan"): Decimal("1000"),
    ("100 million items", "billion items"): Decimal("0.1"),
    ("100 million calls", "million calls"): Decimal("100"),
    # Sources print a gap between two rates with a % sign; it is a difference in points.
    ("percent", "percentage points"): Decimal("1"),
}

_DESCRIPTOR = "datapackage.json"
_REFERENCE_PREFIX = "reference/"


class DataError(ValueError):
    """A data file is missing, malformed or inconsistent with ``data/datapackage.json``.

    ``path`` is the file, ``row`` the 1-based data row (the header is line 1, so row N is line
    N + 1; ``None`` when the whole file or its header is at fault) and ``column`` the column name
    (``None`` when no single column is at fault).
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.row = row
        self.column = column


def data_dir() -> Path:
    """The data folder: ``$ZJANALYSIS_DATA`` when set, else the repository's ``data/``.

    The repository folder is found from this file's location, never from the working directory,
    so notebooks run the same from JupyterLab, Papermill or any shell. Raises :class:`DataError`
    when ``$ZJANALYSIS_DATA`` is set but is not a folder.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env)
        if not path.is_dir():
            raise DataError(
                f"${ENV_VAR} is set to {env!r}, which is not a folder; "
                "point it at a folder holding datapackage.json, or unset it to use the "
                "repository's data/.",
                path=path,
            )
        return path
    return paths.default_data_dir()


@dataclass
class _Loaded:
    key: tuple
    content: str
    claims: Any
    sources: Any
    tables: dict[str, Any]
    chinese: Any = None
    combined: Any = None
    descriptor: dict = field(default_factory=dict)


_cache: dict[str, _Loaded] = {}


def clear_cache() -> None:
    """Forget every loaded table, so the next call reads and validates the files again."""
    _cache.clear()


def claims() -> pd.DataFrame:
    """The claim registry, indexed by ``claim_id``.

    Columns: theme, paragraph (int), figure_text, value (float), unit, year (int), geography,
    indicator, qualifier, statement, note (text columns are str; an empty note is ""). The frame
    is shared by every caller in the process: copy it before changing it.
    Raises :class:`DataError` when a data file is invalid.
    """
    return _load().claims


def claim(claim_id: str) -> pd.Series:
    """One row of the registry (named by its ``claim_id``).

    Raises ``KeyError`` naming the closest ids when ``claim_id`` is not in the registry.
    """
    table = claims()
    if claim_id in table.index:
        return table.loc[claim_id]
    close = difflib.get_close_matches(str(claim_id), list(table.index), n=3, cutoff=0.5)
    hint = (
        f"; did you mean {', '.join(repr(c) for c in close)}?" if close else "; see data/claims.csv"
    )
    raise KeyError(f"claim id {claim_id!r} is not in the registry{hint}")


def chinese_release() -> pd.DataFrame:
    """The figures of the Chinese release as it prints them, indexed by the ``claim_id`` each is.

    Columns: zh_id, indicator (our words), figure_as_printed, unit_as_printed (万人, 亿元, %,
    个百分点 …), qualifier_as_printed (约, 超过, 以上, 余, or ""), measure, times_printed (int),
    source_id. A claim without a row is not printed by the part of the Chinese text that could
    be read. Raises :class:`DataError` when a data file is invalid.
    """
    return _load().chinese


def sources() -> pd.DataFrame:
    """The source documents, indexed by ``source_id``.

    Columns: publisher, title, url, published, accessed_via, locator, confidence, medium, read_on,
    read_from, locator_missing (all str; ``read_on`` is an ISO date; an empty ``url`` or
    ``locator_missing`` is ""). Every source can be reopened by a reader: it has a ``url``, or it is
    print with a page or section in ``locator``, or ``locator_missing`` says why neither exists
    (see :func:`source_warnings`). Raises :class:`DataError` when a data file is invalid.
    """
    return _load().sources


def source_warnings(source_ids) -> list[str]:
    """One sentence for each source in ``source_ids`` that a reader cannot reopen.

    A source carries a warning when ``sources.csv`` gives it no locator (no address, no page or
    section) and states why in ``locator_missing``; a verdict that rests on it should show the
    sentence. Ids are taken in the order given, each once; a single id may be passed as a string.
    Returns an empty list when every source can be reopened. Raises ``KeyError`` naming the
    closest ids for an id that is not in ``sources.csv``.
    """
    if isinstance(source_ids, str):
        source_ids = [source_ids]
    table = sources()
    warnings, seen = [], set()
    for source_id in source_ids:
        if source_id in seen:
            continue
        seen.add(source_id)
        label = source_label(source_id)  # raises KeyError for an unknown id
        reason = table.loc[source_id, "locator_missing"].strip()
        if reason:
            reason = reason[0].lower() + reason[1:]
            warnings.append(f"{label} cannot be reopened by a reader: {reason.rstrip('.')}.")
    return warnings


def source_label(source_id: str) -> str:
    """A short citation for captions, e.g. ``"CNNIC, 43rd Statistical Report ... (2019)"``.

    Raises ``KeyError`` naming the closest ids when ``source_id`` is not in ``sources.csv``.
    """
    table = sources()
    if source_id not in table.index:
        close = difflib.get_close_matches(str(source_id), list(table.index), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"source id {source_id!r} is not in sources.csv{hint}")
    row = table.loc[source_id]
    title = re.sub(r"\s*\([^()]*\)$", "", row["title"])
    year = re.match(r"\d{4}", row["published"])
    return f"{row['publisher']}, {title}" + (f" ({year.group()})" if year else "")


def row_value(row: Any, column: str, default: Any = None) -> Any:
    """``row[column]`` for a row of any table here (a pandas Series, a dict), or ``default``
    when the row lacks the column or holds nothing there (None or NaN)."""
    try:
        value = row[column]
    except (KeyError, IndexError, TypeError):
        return default
    return default if value is None or (isinstance(value, float) and math.isnan(value)) else value


def source_labels(source_ids: Iterable[str]) -> list[str]:
    """The short citations of ``source_ids`` (a list, a column), each once, sorted: the
    ``sources=`` of a chart. Raises ``KeyError`` like ``source_label`` for an unknown id."""
    return sorted({source_label(str(s)) for s in source_ids})


def reference(table: str | None = None) -> pd.DataFrame:
    """Reference figures: one table of ``data/reference/`` by name, or all of them.

    Columns: geography, year (int), period, indicator, value_as_printed (str, digits as printed),
    unit_as_printed, unit, value (float, value_as_printed converted to ``unit``), source_id, note,
    qualifier, checked_on (ISO date the row was last compared with its source), check_note (what
    was compared and what was found). Rows are unique on geography, year, period, indicator and
    source_id: one observation may have two witnesses. With ``table=None`` the tables are stacked
    with a leading ``table`` column.
    Raises ``KeyError`` naming the tables that exist for an unknown ``table``, and
    :class:`DataError` when a data file is invalid.
    """
    loaded = _load()
    if table is None:
        if loaded.combined is None:
            import pandas as pd

            frames = [t.assign(table=name) for name, t in loaded.tables.items()]
            combined = pd.concat(frames, ignore_index=True)
            loaded.combined = combined[["table", *[c for c in combined.columns if c != "table"]]]
        return loaded.combined
    if table not in loaded.tables:
        raise KeyError(
            f"reference table {table!r} does not exist; tables: {', '.join(sorted(loaded.tables))}"
        )
    return loaded.tables[table]


def lookup(
    indicator: str,
    geography: str,
    year: int,
    *,
    table: str | None = None,
    period: str | None = None,
    source: str | None = None,
) -> pd.Series:
    """The one reference row for ``indicator`` in ``geography`` and ``year``.

    ``table`` narrows the search to one reference table; ``period`` chooses between rows of the
    same year (e.g. "year-end" and "mid-year"); ``source`` (a ``source_id``) chooses between two
    witnesses of the same observation (e.g. a rounded figure and a more precise one). Returns the
    row as a Series (with its ``table``). Raises ``KeyError`` saying what exists when no row, or
    more than one row, matches.
    """
    frame = reference() if table is None else reference(table).assign(table=table)
    found = frame[
        (frame["indicator"] == indicator)
        & (frame["geography"] == geography)
        & (frame["year"] == int(year))
    ]
    if period is not None:
        found = found[found["period"] == period]
    if source is not None:
        found = found[found["source_id"] == source]
    wanted = (
        f"indicator={indicator!r}, geography={geography!r}, year={year!r}"
        + (f", period={period!r}" if period is not None else "")
        + (f", source={source!r}" if source is not None else "")
    )
    if len(found) == 1:
        return found.iloc[0]
    if len(found) > 1:
        if found["period"].nunique() > 1:
            periods = ", ".join(repr(p) for p in found["period"])
            raise KeyError(
                f"{len(found)} reference rows match {wanted}; choose one with period= ({periods})"
            )
        witnesses = ", ".join(repr(s) for s in found["source_id"])
        raise KeyError(
            f"{len(found)} reference rows match {wanted}, one per source; choose one with "
            f"source= ({witnesses})"
        )
    same = frame[frame["indicator"] == indicator]
    if same.empty:
        close = difflib.get_close_matches(
            indicator, sorted(set(frame["indicator"])), n=3, cutoff=0.5
        )
        hint = f"; close indicators: {', '.join(repr(c) for c in close)}" if close else ""
        raise KeyError(f"no reference row matches {wanted}: no such indicator{hint}")
    have = sorted(
        {
            f"{g} {y} {p} ({s})"
            for g, y, p, s in zip(
                same["geography"], same["year"], same["period"], same["source_id"], strict=True
            )
        }
    )
    raise KeyError(
        f"no reference row matches {wanted}; this indicator exists for: {'; '.join(have)}"
    )


# --- loading -----------------------------------------------------------------------------


def _label(root: Path, relative: str) -> str:
    # Messages show "data/claims.csv", never an absolute path, so they read the same everywhere.
    return f"{root.name}/{relative}"


def _where(root: Path, relative: str, row: int | None, column: str | None) -> str:
    text = _label(root, relative)
    if row is not None:
        text += f", row {row} (line {row + 1})"
    elif column is not None:
        text += ", header (line 1)"
    if column is not None:
        text += f", column {column!r}"
    return text


def _fail(root: Path, relative: str, what: str, row: int | None = None, column: str | None = None):
    raise DataError(
        f"{_where(root, relative, row, column)}: {what}",
        path=root / relative,
        row=row,
        column=column,
    )


def _read_descriptor(root: Path) -> dict:
    path = root / _DESCRIPTOR
    if not path.is_file():
        _fail(root, _DESCRIPTOR, "file is missing; it declares the schema of every data file")
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail(root, _DESCRIPTOR, f"is not valid JSON ({exc})")
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    names = [r.get("name") for r in resources or [] if isinstance(r, dict)]
    if not resources or "claims" not in names or "sources" not in names:
        _fail(
            root,
            _DESCRIPTOR,
            "must list resources named 'claims' and 'sources' (and the reference tables)",
        )
    return descriptor


def _cache_key(root: Path, descriptor: dict) -> tuple:
    stamps = []
    for relative in [_DESCRIPTOR, *(r["path"] for r in descriptor["resources"])]:
        path = root / relative
        try:
            st = path.stat()
        except FileNotFoundError:
            _fail(root, relative, "file is missing; datapackage.json lists it as a resource")
        stamps.append((relative, st.st_mtime_ns, st.st_size))
    return (str(root.resolve()), tuple(stamps))


def _content_key(root: Path, descriptor: dict) -> str:
    """sha256 over the descriptor and every resource's path and bytes: the same data wherever
    it lies."""
    import hashlib

    digest = hashlib.sha256()
    for relative in [_DESCRIPTOR, *sorted(str(r["path"]) for r in descriptor["resources"])]:
        data = (root / relative).read_bytes()
        digest.update(relative.encode("utf-8") + b"\0" + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def preload() -> bool:
    """Read the data package into this process's cache now, when Frictionless has already
    validated these very bytes; return True when it did.

    The kernels' zygote calls it before it forks them: every kernel then starts with the tables
    in memory, and a kernel whose data folder is a copy of the same bytes uses them (the cache
    also matches on content). Nothing is validated here, so nothing heavy runs in the zygote.
    """
    try:
        root = data_dir()
        descriptor = _read_descriptor(root)
        if not _already_validated(_validation_key(root, descriptor)):
            return False
        _load()
    except Exception:  # noqa: BLE001 -- a preload may only save time, never fail a kernel
        return False
    return True


def _check_header(root: Path, resource: dict) -> None:
    """Missing, empty or mis-ordered headers, reported more plainly than frictionless would."""
    relative = resource["path"]
    names = [f["name"] for f in resource["schema"]["fields"]]
    with open(root / relative, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header or not any(h.strip() for h in header):
        _fail(
            root, relative, f"file is empty; expected a header row with columns: {', '.join(names)}"
        )
    for name in names:
        if name not in header:
            _fail(
                root,
                relative,
                f"column is missing; the header must hold: {', '.join(names)}",
                column=name,
            )
    for position, (given, expected) in enumerate(zip(header, names, strict=False), start=1):
        if given != expected:
            _fail(
                root,
                relative,
                f"found at position {position} where {expected!r} belongs; columns must be, in "
                "order: "
                f"{', '.join(names)}",
                column=given,
            )
    extra = header[len(names) :]
    if extra:
        _fail(
            root,
            relative,
            f"is not a declared column; columns must be: {', '.join(names)}",
            column=extra[0],
        )


def _import_frictionless():
    # jsonschema (imported by frictionless) compiles ~40 grammars of rfc3987_syntax at import,
    # ~0.8 s, only to check the "iri" string formats that no descriptor here uses. Hiding that
    # optional module while jsonschema is first imported keeps the first load fast.
    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
        try:
            import jsonschema  # noqa: F401
        finally:
            del sys.modules["rfc3987_syntax"]
    import frictionless

    return frictionless


def _validation_key(root: Path, descriptor: dict) -> str:
    """Hash of all a validation depends on: descriptor and data bytes, versions, this code."""
    import hashlib
    from importlib import metadata

    digest = hashlib.sha256(b"zjanalysis-validation-1\0")

    def part(data: bytes) -> None:
        digest.update(len(data).to_bytes(8, "big") + data)

    part((root / _DESCRIPTOR).read_bytes())
    for relative in sorted(str(r["path"]) for r in descriptor["resources"]):
        part(relative.encode("utf-8"))
        part((root / relative).read_bytes())
    part(metadata.version("frictionless").encode())
    part(Path(__file__).read_bytes())
    return digest.hexdigest()


def _marker(key: str) -> Path:
    return paths.cache_dir() / "validated" / key


def _already_validated(key: str) -> bool:
    try:
        return _marker(key).read_text(encoding="utf-8").strip() == key
    except Exception:  # noqa: BLE001 -- the cache may only ever save time, never fail a load
        return False


def _remember_validated(key: str) -> None:
    import tempfile

    try:
        marker = _marker(key)
        marker.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=marker.parent, prefix=".tmp-", suffix=".marker")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(key + "\n")
            os.replace(temp, marker)
        except BaseException:
            os.unlink(temp)
            raise
    except Exception:  # noqa: BLE001 -- an unwritable cache only costs the next load time
        pass


def _validate(root: Path, descriptor: dict) -> None:
    """Validate the package with Frictionless, unless these exact inputs already passed."""
    try:
        key = _validation_key(root, descriptor)
    except Exception:  # noqa: BLE001 -- e.g. a missing file: let the validator report it
        key = None
    if key is not None and _already_validated(key):
        return
    _validate_package(root, descriptor)
    if key is not None:
        _remember_validated(key)


def _validate_package(root: Path, descriptor: dict) -> None:
    frictionless = _import_frictionless()
    package = frictionless.Package.from_descriptor(descriptor, basepath=str(root))
    report = package.validate()
    if report.valid:
        return
    by_name = {r["name"]: r for r in descriptor["resources"]}
    for task in report.tasks:
        if task.errors:
            first = task.errors[0]
            # A short row also breaks "required" on its empty cells; the cut-off is the real news.
            cut = [
                e
                for e in task.errors
                if e.type == "missing-cell"
                and getattr(e, "row_number", None) == getattr(first, "row_number", None)
            ]
            _translate(root, by_name.get(task.name, {}), cut[0] if cut else first)
    raise DataError(
        f"{_label(root, _DESCRIPTOR)}: the data package is invalid: {report.errors[0].message}"
    )


def _translate(root: Path, resource: dict, error) -> None:
    relative = resource.get("path", "?")
    fields = {f["name"]: f for f in resource.get("schema", {}).get("fields", [])}
    row_number = getattr(error, "row_number", None)
    row = row_number - 1 if row_number else None
    column = getattr(error, "field_name", None)
    cell = getattr(error, "cell", None)
    kind = error.type
    if kind == "type-error":
        wanted = {
            "integer": "a whole number",
            "number": "a number",
            "date": "a date written YYYY-MM-DD",
        }.get(fields[column]["type"], fields[column]["type"])
        _fail(root, relative, f"{cell!r} is not {wanted}", row, column)
    if kind == "constraint-error":
        constraints = fields[column].get("constraints", {})
        note = error.note
        if '"required"' in note:
            _fail(root, relative, "is empty; a value is required", row, column)
        if '"enum"' in note:
            allowed = ", ".join(constraints["enum"])
            noun = "unit" if column.startswith("unit") else column
            _fail(
                root,
                relative,
                f"{cell!r} is not an allowed {noun}; allowed: {allowed}",
                row,
                column,
            )
        if '"pattern"' in note:
            _fail(
                root,
                relative,
                f"{cell!r} does not have the required form (pattern {constraints['pattern']})",
                row,
                column,
            )
        if '"minimum"' in note or '"maximum"' in note:
            bounds = f"{constraints.get('minimum', '-inf')} to {constraints.get('maximum', 'inf')}"
            _fail(root, relative, f"{cell!r} is out of range; allowed: {bounds}", row, column)
        _fail(root, relative, f"{cell!r} breaks a constraint ({note})", row, column)
    if kind in ("primary-key", "unique-error"):
        keys = resource["schema"]["primaryKey"] if kind == "primary-key" else [column]
        names = [f["name"] for f in resource["schema"]["fields"]]
        values = [error.cells[names.index(k)] for k in keys if k in names]
        earlier = re.search(r"position (\d+)", error.note)
        first = f" already used in row {int(earlier.group(1)) - 1}" if earlier else ""
        _fail(
            root,
            relative,
            f"duplicate {'/'.join(keys)} {', '.join(repr(v) for v in values)}{first}; each must "
            "be unique",
            row,
            keys[0],
        )
    if kind == "foreign-key":
        names = [f["name"] for f in resource["schema"]["fields"]]
        failed = list(getattr(error, "field_names", None) or [])
        foreign = next(
            (fk for fk in resource["schema"]["foreignKeys"] if fk["fields"] == failed),
            resource["schema"]["foreignKeys"][0],
        )
        column = foreign["fields"][0]
        value = error.cells[names.index(column)] if column in names else None
        target = next(
            (
                r["path"]
                for r in _read_descriptor(root)["resources"]
                if r["name"] == foreign["reference"]["resource"]
            ),
            foreign["reference"]["resource"],
        )
        _fail(
            root,
            relative,
            f"{value!r} is not a {foreign['reference']['fields'][0]} listed in {target}",
            row,
            column,
        )
    if kind == "missing-cell":
        _fail(
            root,
            relative,
            "the row ends before this column (a cut-off or truncated line?)",
            row,
            column,
        )
    if kind == "extra-cell":
        _fail(root, relative, "the row has more cells than the header has columns", row, None)
    if kind == "blank-row":
        _fail(root, relative, "the row is blank; remove it", row, None)
    _fail(root, relative, error.message, row, column)


def _read_table(root: Path, resource: dict):
    import pandas as pd

    relative = resource["path"]
    frame = pd.read_csv(
        root / relative, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8"
    )
    for spec in resource["schema"]["fields"]:
        name = spec["name"]
        if spec["type"] not in ("integer", "number"):
            continue
        converted = pd.to_numeric(frame[name], errors="coerce")
        bad = converted.isna() & (frame[name] != "")
        if bad.any():
            position = int(bad.to_numpy().nonzero()[0][0])
            _fail(
                root,
                relative,
                f"{frame[name].iloc[position]!r} is not a number",
                position + 1,
                name,
            )
        if spec["type"] == "number":
            frame[name] = converted.astype("float64")
        else:
            # A column that may be empty (a claim only the Chinese release prints has no
            # paragraph of the English article) keeps None for the empty cells.
            if converted.isna().any():
                frame[name] = pd.Series(
                    [None if pd.isna(v) else int(v) for v in converted],
                    dtype=object,
                    index=frame.index,
                )
            else:
                frame[name] = converted.astype("int64")
    return frame


# A print locator names where in the document to look: "p. 12", "pages 3-5", "section 2.1", "chapter
# 4", "§ 3".
_PRINT_PLACE = re.compile(
    r"\b(p\.|pp\.|pages?|sections?|chapters?|ch\.)\s*[0-9ivxlc]|§\s*\d", re.IGNORECASE
)


def _check_paragraphs(root: Path, relative: str, frame) -> None:
    """A figure of the English article names its paragraph; one only the Chinese release prints
    has none (the English article has no paragraph for it)."""
    for position, (paragraph, origin) in enumerate(
        zip(frame["paragraph"], frame["origin"], strict=True), start=1
    ):
        if origin == "english-article" and paragraph is None:
            _fail(
                root,
                relative,
                "is empty; a figure of the English article names its paragraph",
                position,
                "paragraph",
            )
        if origin == "chinese-release" and paragraph is not None:
            _fail(
                root,
                relative,
                f"is {paragraph}, but the English article does not print this figure "
                "(origin chinese-release): leave it empty",
                position,
                "paragraph",
            )


def _check_locators(root: Path, relative: str, frame) -> None:
    """Every source can be reopened: a url, a print page or section, or a stated reason why not."""
    for position, row in enumerate(frame.itertuples(index=False), start=1):
        url, missing = row.url.strip(), row.locator_missing.strip()
        if url and missing:
            _fail(
                root,
                relative,
                "must be empty when the source has a url; a reason for a missing locator "
                "is only for sources nobody can reopen",
                position,
                "locator_missing",
            )
        if url or missing:
            continue
        if row.medium == "print":
            if not _PRINT_PLACE.search(row.locator):
                _fail(
                    root,
                    relative,
                    f"{row.locator!r} names no page or section; a print source needs one "
                    "(e.g. 'p. 12' or 'section 3'), or a url, or a reason in locator_missing",
                    position,
                    "locator",
                )
            continue
        _fail(
            root,
            relative,
            "is empty; a web source needs the address it was read at, or, when no "
            "address can be found, a reason in locator_missing",
            position,
            "url",
        )


def _converted(root: Path, relative: str, frame) -> list[float]:
    values = []
    for position, (printed, printed_unit, unit) in enumerate(
        zip(frame["value_as_printed"], frame["unit_as_printed"], frame["unit"], strict=True),
        start=1,
    ):
        factor = Decimal(1) if printed_unit == unit else CONVERSIONS.get((printed_unit, unit))
        if factor is None:
            known = "; ".join(f"{a} -> {b}" for a, b in CONVERSIONS)
            _fail(
                root,
                relative,
                f"no conversion from {printed_unit!r} to {unit!r}; known conversions: {known} "
                "(or the same unit)",
                position,
                "unit",
            )
        try:
            number = Decimal(printed.replace(",", ""))
        except InvalidOperation:
            _fail(root, relative, f"{printed!r} is not a number", position, "value_as_printed")
        values.append(float(number * factor))
    return values


def _load() -> _Loaded:
    root = data_dir()
    descriptor = _read_descriptor(root)
    key = _cache_key(root, descriptor)
    cached = _cache.get("data")
    if cached is not None and cached.key == key:
        return cached
    content = _content_key(root, descriptor)
    if cached is not None and cached.content == content:
        # The same bytes somewhere else (a kernel's copy of the data the zygote read): they
        # were read and validated already.
        cached.key = key
        return cached
    for resource in descriptor["resources"]:
        if (root / resource["path"]).stat().st_size == 0:
            _fail(root, resource["path"], "file is empty; expected a header row and data rows")
        _check_header(root, resource)
    _validate(root, descriptor)

    tables = {}
    claims_frame = sources_frame = chinese_frame = None
    for resource in descriptor["resources"]:
        frame = _read_table(root, resource)
        relative = resource["path"]
        if resource["name"] == "claims":
            _check_paragraphs(root, relative, frame)
            claims_frame = frame.set_index("claim_id")
        elif resource["name"] == "sources":
            _check_locators(root, relative, frame)
            sources_frame = frame.set_index("source_id")
        elif resource["name"] == "chinese_release":
            chinese_frame = frame.set_index("claim_id")
        elif relative.startswith(_REFERENCE_PREFIX):
            frame.insert(
                frame.columns.get_loc("unit") + 1, "value", _converted(root, relative, frame)
            )
            tables[resource["name"]] = frame
    loaded = _Loaded(
        key,
        content,
        claims_frame,
        sources_frame,
        dict(sorted(tables.items())),
        chinese=chinese_frame,
        descriptor=descriptor,
    )
    _cache["data"] = loaded
    return loaded
