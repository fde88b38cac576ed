"""The batch renderer: `zjanalysis render`. Its rooms, in the order a render goes through them:

- `plan`: which runs to make (notebooks × parameters, or a grid), their names, their parameters;
- `cache`: which runs are fresh, keyed on everything a run reads, and the site's key;
- `lock`: one render per output folder;
- `run`: the runs that are not fresh go to the engine; every result is written as it arrives;
- `handler`: the `render` job, run inside the engine's worker (Papermill, the page, the record);
- `export`: an executed notebook as an offline HTML page.

The names below are the renderer's public interface (the command line and the tests use them).
"""

from __future__ import annotations

from zjanalysis.render.cache import (
    CACHE_NAME,
    VERSIONED,
    data_folder,
    input_digests,
    is_fresh,
    library_versions,
    load_cache,
    run_key,
    save_cache,
    shared_inputs_digest,
    site_key,
)
from zjanalysis.render.lock import LOCK_NAME, OutputLock
from zjanalysis.render.plan import (
    EDITIONS,
    RenderError,
    Run,
    check_parameters,
    declared_parameters,
    default_notebooks,
    load_grid,
    notebook_json,
    output_name,
    output_path,
    parse_value,
    plan_runs,
    read_notebook,
    resolve_notebook,
)
from zjanalysis.render.run import (
    FORMATS,
    LOG_DIR,
    PHASES,
    BatchResult,
    Outcome,
    make_job,
    prepare_out,
    record_result,
    render,
    summary_table,
    timings_table,
)

__all__ = [
    "CACHE_NAME",
    "EDITIONS",
    "FORMATS",
    "LOCK_NAME",
    "LOG_DIR",
    "VERSIONED",
    "BatchResult",
    "Outcome",
    "OutputLock",
    "RenderError",
    "Run",
    "check_parameters",
    "data_folder",
    "declared_parameters",
    "default_notebooks",
    "input_digests",
    "is_fresh",
    "library_versions",
    "load_cache",
    "load_grid",
    "make_job",
    "notebook_json",
    "output_name",
    "output_path",
    "parse_value",
    "plan_runs",
    "prepare_out",
    "read_notebook",
    "record_result",
    "render",
    "resolve_notebook",
    "run_key",
    "save_cache",
    "shared_inputs_digest",
    "site_key",
    "summary_table",
    "timings_table",
    "PHASES",
]
