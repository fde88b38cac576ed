"""Shared fixtures. Keep this small: one fixture per need, each documented."""

from __future__ import annotations

import shutil
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from zjanalysis import data, paths

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"


@pytest.fixture(autouse=True, scope="session")
def private_validation_cache(tmp_path_factory: pytest.TempPathFactory):
    """Keep the validation markers (and the kernels' IPython folder) of a test session out of
    the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("validation-cache")
    mp = pytest.MonkeyPatch()
    mp.setenv(paths.CACHE_ENV_VAR, str(folder))
    yield folder
    mp.undo()


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of data/ (at tmp_path/"data") that the loader reads instead of the real one.

    Tests corrupt the copy freely; the cache is emptied before and after so no other test sees it.
    """
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    monkeypatch.setenv(data.ENV_VAR, str(copy))
    data.clear_cache()
    yield copy
    data.clear_cache()


@pytest.fixture
def ctrl_c_works() -> Callable[[], None]:
    """A ``preexec_fn`` for a command a test interrupts with SIGINT: Ctrl-C as at a terminal.

    A shell without job control starts a background command (``make test &``, some CI runners)
    with SIGINT ignored, every process below it inherits that, and Python then leaves it
    ignored: the command under test would never see the Ctrl-C the test sends it.
    """
    return lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)


# Notebooks under tests/fixtures/ are inputs of the engine tests (one sleeps, one kills its
# kernel on purpose), not notebooks for nbval to check.
collect_ignore_glob = ["fixtures/*"]
