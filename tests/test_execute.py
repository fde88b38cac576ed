"""The execution engine's contract (zjanalysis.execute): jobs, limits, data bundles, results and
the handler registry. The engines themselves are tested in test_engines.py."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import pytest

from zjanalysis import execute
from zjanalysis.execute import handlers
from zjanalysis.versions import files_sha256


def test_limits_refuse_nonsense_and_name_the_limit():
    assert execute.Limits(cell_timeout=1.5, run_timeout=10, memory_mb=512).memory_mb == 512
    with pytest.raises(
        ValueError, match=r"Limit memory_mb must be a positive number or None; got 0\."
    ):
        execute.Limits(memory_mb=0)
    with pytest.raises(ValueError, match=r"Limit run_timeout .* got '10'\."):
        execute.Limits(run_timeout="10")


def test_job_refuses_unknown_formats_and_travels_by_pickle():
    with pytest.raises(
        ValueError, match=r"Job a: output format pdf is unknown; allowed: ipynb, html\."
    ):
        execute.Job("a", outputs=("ipynb", "pdf"))
    with pytest.raises(ValueError, match="needs a name"):
        execute.Job("")
    job = execute.Job(
        "a",
        notebook=b'{"cells": []}',
        parameters={"tolerance": 0.1},
        limits=execute.Limits(run_timeout=5),
        options={"input_path": "../a.ipynb"},
    )
    back = pickle.loads(pickle.dumps(job))
    assert (back.name, back.notebook, back.parameters, back.limits) == (
        "a",
        b'{"cells": []}',
        {"tolerance": 0.1},
        execute.Limits(run_timeout=5),
    )


def test_result_refuses_an_unknown_status():
    assert execute.Result("a", "timed out").attempts == 1
    with pytest.raises(ValueError, match=r"Result status 'crashed' is unknown"):
        execute.Result("a", "crashed")


def make_folder(root: Path) -> Path:
    (root / "reference").mkdir(parents=True)
    (root / "claims.csv").write_bytes(b"claim_id\nx\n")
    (root / "reference" / "users.csv").write_bytes(b"year,value\n2018,45.5\n")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "junk.pyc").write_bytes(b"\0")
    return root


def test_bundle_reads_a_folder_in_path_order_and_hashes_paths_and_bytes(tmp_path):
    bundle = execute.DataBundle.from_folder(make_folder(tmp_path / "data"))
    assert [path for path, _ in bundle.files] == ["claims.csv", "reference/users.csv"]
    assert bundle.size == len(b"claim_id\nx\n") + len(b"year,value\n2018,45.5\n")
    # The digest, worked by hand: sha256 over each path, a NUL, and the sha256 of its bytes.
    by_hand = hashlib.sha256()
    for path, content in [
        ("claims.csv", b"claim_id\nx\n"),
        ("reference/users.csv", b"year,value\n2018,45.5\n"),
    ]:
        by_hand.update(path.encode() + b"\0" + hashlib.sha256(content).digest())
    assert bundle.digest == by_hand.hexdigest()
    # A renamed file changes the digest even with the same bytes.
    renamed = execute.DataBundle(
        ((("claims2.csv", b"claim_id\nx\n"),) + bundle.files[1:]), bundle.digest
    )
    with pytest.raises(execute.DataMismatch, match="arrived with digest"):
        renamed.verify()


def test_bundle_unpacks_into_a_folder_named_data_once(tmp_path):
    bundle = execute.DataBundle.from_folder(make_folder(tmp_path / "data"))
    folder = bundle.materialize(tmp_path / "worker")
    assert folder.name == "data"
    assert (folder / "reference" / "users.csv").read_bytes() == b"year,value\n2018,45.5\n"
    assert execute.DataBundle.from_folder(folder).digest == bundle.digest
    assert bundle.materialize(tmp_path / "worker") == folder
    assert [p.name for p in folder.parent.iterdir()] == ["data"]  # no staging folder left


def test_tampered_or_escaping_bundles_are_refused_before_anything_is_written(tmp_path):
    bundle = execute.DataBundle.from_folder(make_folder(tmp_path / "data"))
    tampered = execute.DataBundle(
        (("claims.csv", b"claim_id\ny\n"),) + bundle.files[1:], bundle.digest
    )
    with pytest.raises(execute.DataMismatch):
        tampered.materialize(tmp_path / "worker")
    files = (("../escape.csv", b"x"),)
    escaping = execute.DataBundle(files, files_sha256(files))
    with pytest.raises(execute.DataMismatch, match="would leave the data folder"):
        escaping.materialize(tmp_path / "worker2")
    assert not (tmp_path / "worker").exists() and not (tmp_path / "escape.csv").exists()


def test_each_client_registers_its_handler_beside_it_and_clashes_are_refused():
    import zjanalysis.refresh  # noqa: F401  -- registers "refresh"
    import zjanalysis.render  # noqa: F401  -- registers "render"

    assert execute.target("render") == "zjanalysis.render.handler:render"
    assert execute.target("refresh") == "zjanalysis.refresh:run_job"
    with pytest.raises(
        ValueError,
        match=r"Job kind 'nope' has no handler; known: .*refresh, render\. Import the module "
        r"that calls execute\.register\('nope', \.\.\.\) in this process",
    ):
        execute.target("nope")
    with pytest.raises(ValueError, match="must look like 'package.module:function'"):
        execute.register("odd", "no colon here")
    with pytest.raises(ValueError, match="already handled by zjanalysis.render.handler:render"):
        execute.register("render", "elsewhere.module:run")
    execute.register("render", "zjanalysis.render.handler:render")  # the same: no change
    execute.register("test-kind", "os.path:join")
    try:
        assert handlers.load(execute.target("test-kind"))("a", "b") == "a/b"
    finally:
        handlers._TARGETS.pop("test-kind")


def test_open_engine_refuses_unknown_names_and_a_scheduler_for_local():
    with pytest.raises(
        execute.EngineError, match=r"Engine 'spark' is unknown; allowed: local, dask\."
    ):
        execute.open_engine("spark")
    with pytest.raises(execute.EngineError, match="--scheduler needs --engine dask"):
        execute.open_engine("local", scheduler="tcp://127.0.0.1:1")
    with pytest.raises(execute.EngineError, match="1 or more; got 0"):
        execute.open_engine("local", workers=0)
