"""Running one submission in its own kernel, cell by cell, so that one bad cell costs only itself.

`execute_submission(job, session)` is the engine handler of the `grade` kind (see
`zjanalysis.execute`). The job's notebook is the *planned* notebook (`grading.plan`): locked
cells put back, the student's cells where they put them, each cell's role and exercises in its
metadata. The handler

1. copies the job's data into its private working folder and starts the job's kernel there;
2. runs a prelude in the kernel before any other code: the data copy as $ZJANALYSIS_DATA,
   temporary files inside the working folder, no inline figures (grading reads answers, not
   charts), RLIMIT_AS at the job's memory limit, and where Linux has Landlock, no writes outside
   the working folder, no TCP connections and no signals to other processes for the code that
   follows (the main thread, where cells run, and every process it starts);
3. runs the cells one at a time. A cell may raise (recorded), run past the cell timeout (the
   kernel is interrupted; if it does not stop within a grace period it is killed), end the
   kernel (`os._exit`, `exit()`, running out of memory: recorded as the kernel stopping). After
   a kernel is lost, a fresh one is started, the prelude and the *locked* cells before the next
   cell are run again (their errors ignored), and the run goes on with the next cell;
4. after each student cell, and at the end, reads the answer variables out as plain data (a
   small probe in the kernel turns each into JSON: a number, a text, a list of them, an
   interval's bounds, the placeholder, or the name of its type). Scoring happens in the grader's
   own process (`grading.score`); nothing the kernel says is trusted beyond being data.

It never writes outside `session.work`. The result's `extra` holds the cells' outcomes, the
answers and how many times the kernel was restarted.
"""

from __future__ import annotations

import ast
import json
import os
import queue
import re
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zjanalysis.execute import Job, Result, Session
from zjanalysis.grading import kernelside

KIND = "grade"
MAX_RESTARTS = 5
GRACE = 3.0  # seconds a kernel gets to stop after an interrupt
MAX_TEXT = 2000  # longest text answer read out of a kernel
MAX_ITEMS = 100  # longest list answer
MAX_REPLY = 1 << 20  # a probe reply larger than this is not read

# The two functions the grader defines and calls in the student's kernel (``grading.kernelside``),
# sent as source text: the kernel never imports them, so nothing a student's cell does to
# imported modules can change what they do.
PRELUDE = kernelside.source("_zjanalysis_prelude")
PROBE = kernelside.source("_zjanalysis_probe")


def _call(function: str, result: str, *args: Any) -> str:
    """The code that defines `function` (PRELUDE or PROBE), calls it into `result`, forgets it."""
    name = "_zjanalysis_prelude" if function is PRELUDE else "_zjanalysis_probe"
    if function is PROBE:
        args = (*args, MAX_TEXT, MAX_ITEMS)
    return f"{function}\n{result} = {name}({', '.join(map(repr, args))})\ndel {name}\n"


@dataclass
class CellOutcome:
    """How one cell ran: ok, error (with the exception), timeout, died, or skipped (not run).

    `lost`: the kernel is gone or on its way out (killed, exited); a new one is needed.
    """

    status: str
    error: str = ""
    lost: bool = False


@dataclass
class _Run:
    session: Session
    cell_timeout: float | None
    work: Path
    data: str
    cache: str
    memory_mb: int | None
    kernel: Any = None
    client: Any = None
    restarts: int = 0
    confined: list = field(default_factory=list)
    memory: int | None = None
    groups: set = field(default_factory=set)

    # --- the kernel -------------------------------------------------------------------------

    def start(self, fresh: bool) -> None:
        if self.client is not None:
            try:
                self.client.stop_channels()
            except Exception:  # noqa: BLE001 -- the old client may already be gone
                pass
        self.kernel = self.session.restart_kernel() if fresh else self.session.kernel()
        self.client = self.kernel.client()
        # Nothing here reads what cells print; an unread channel would only queue it.
        self.client.iopub_channel.stop()
        code = _call(
            PRELUDE, "_zjanalysis_state", str(self.work), self.data, self.cache, self.memory_mb
        )
        outcome, reply = self.execute(
            code, 60.0, silent=True, expressions={"state": "_zjanalysis_state"}
        )
        state = _expression(reply, "state")
        if outcome.status != "ok" or not isinstance(state, dict):
            raise RuntimeError(
                f"the grading prelude failed in the kernel: {outcome.error or outcome.status}"
            )
        self.confined = [c for c in state.get("confined", []) if isinstance(c, str)]
        self.memory = state.get("memory") if isinstance(state.get("memory"), int) else None
        if isinstance(state.get("pid"), int) and state.get("pgid") == state.get("pid"):
            self.groups.add(state["pid"])

    def end_groups(self) -> None:
        """Kill what the kernels started and left behind (their process groups)."""
        for group in self.groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except OSError:
                pass

    def interrupt(self) -> None:
        from jupyter_client.utils import run_sync

        try:
            run_sync(self.kernel.km.interrupt_kernel)()
        except Exception:  # noqa: BLE001 -- a kernel that cannot be interrupted gets killed
            pass

    def execute(
        self,
        code: str,
        timeout: float | None,
        *,
        silent: bool = False,
        expressions: dict | None = None,
    ) -> tuple[CellOutcome, dict]:
        """Run `code`; return its outcome and the reply's content (empty when there is none)."""
        msg_id = self.client.execute(
            code,
            silent=silent,
            store_history=not silent,
            user_expressions=expressions or {},
            allow_stdin=False,
            stop_on_error=False,
        )
        started = time.monotonic()
        interrupted_at = None
        while True:
            now = time.monotonic()
            if interrupted_at is None and timeout is not None and now - started >= timeout:
                self.interrupt()
                interrupted_at = now
            if interrupted_at is not None and now - interrupted_at >= GRACE:
                self.kernel.kill()
                return CellOutcome("timeout", lost=True), {}
            try:
                msg = self.client.get_shell_msg(timeout=0.1)
            except queue.Empty:
                if self.session.timed_out:
                    return CellOutcome("timeout", "notebook", lost=True), {}
                if not self.kernel.alive():
                    return CellOutcome(
                        "timeout" if interrupted_at is not None else "died", lost=True
                    ), {}
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            content = msg.get("content", {})
            if interrupted_at is not None:
                return CellOutcome("timeout"), content
            if content.get("status") == "ok":
                if any(p.get("source") == "ask_exit" for p in content.get("payload", []) or []):
                    self.kernel.kill()  # exit(): the kernel is on its way out
                    return CellOutcome("died", lost=True), content
                return CellOutcome("ok"), content
            if content.get("status") == "error":
                error = _error_text(content, str(self.work))
                if error.startswith("MemoryError"):
                    # What it allocated may still be held: start clean rather than starve the
                    # cells after it.
                    self.kernel.kill()
                    return CellOutcome("error", error, lost=True), content
                return CellOutcome("error", error), content
            return CellOutcome("error", "the cell was not run"), content

    # --- answers ----------------------------------------------------------------------------

    def read_answers(self, names: list[str]) -> dict | None:
        if not names or not self.kernel.alive():
            return None
        code = _call(PROBE, "_zjanalysis_answers", list(names))
        outcome, reply = self.execute(
            code, 10.0, silent=True, expressions={"answers": "_zjanalysis_answers"}
        )
        if outcome.status != "ok":
            if outcome.lost or outcome.status == "timeout":
                self.kernel.kill()
            return None
        got = _expression(reply, "answers")
        return got if isinstance(got, dict) else None


def _expression(reply: dict, name: str) -> Any:
    """The value of a user expression whose repr is a str literal holding JSON, or None."""
    try:
        entry = reply["user_expressions"][name]
        text = entry["data"]["text/plain"]
        if entry.get("status") != "ok" or not isinstance(text, str) or len(text) > MAX_REPLY:
            return None
        value = ast.literal_eval(text)
        return json.loads(value) if isinstance(value, str) else None
    except (KeyError, TypeError, ValueError, SyntaxError, MemoryError, RecursionError):
        return None


# IPython names a cell's code after a hash of it ("1036949112.py"); memory addresses differ
# from run to run. Neither helps a student, and both would make re-grading differ.
_CELL_FILE = re.compile(
    r"\(?<?(?:[^\s(),<>]*[/\\])?(?:ipykernel_\d+[/\\])?\d+\.py>?, line (\d+)\)?"
)
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")


def _error_text(content: dict, work: str = "") -> str:
    name = str(content.get("ename", "Error"))[:80]
    value = str(content.get("evalue", ""))[:300]
    if work:
        value = value.replace(work + "/", "").replace(work, ".")
    value = _ADDRESS.sub("0x…", _CELL_FILE.sub(r"(line \1)", value))
    return f"{name}: {value}" if value else name


def execute_submission(job: Job, session: Session) -> Result:
    """Engine handler for `grade` jobs: run the planned notebook cell by cell (see the module)."""
    started = time.monotonic()
    nb = json.loads(job.notebook)
    cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    meta = [c.get("metadata", {}).get("zjanalysis", {}) for c in cells]
    names = list(job.options.get("variables", []))
    work = Path(session.work)
    data = work / "data"
    if session.data_dir is not None:
        shutil.copytree(session.data_dir, data)
    run = _Run(
        session,
        job.limits.cell_timeout,
        work,
        str(data if data.is_dir() else ""),
        str(job.options.get("validation_cache", "")),
        job.limits.memory_mb,
    )
    outcomes: list[dict] = []
    answers: dict[str, Any] = {}
    note = ""

    def remember(got: dict | None) -> None:
        # The last value seen wins; a variable gone after a restart keeps what it was.
        for name, value in (got or {}).items():
            if name not in names or not isinstance(value, dict):
                continue
            if value.get("kind") == "absent" and name in answers:
                continue
            answers[name] = value

    def recover(next_index: int) -> bool:
        """Fresh kernel, prelude, locked cells before `next_index`; False when that fails."""
        while run.restarts < MAX_RESTARTS and not session.timed_out:
            run.restarts += 1
            try:
                run.start(fresh=True)
            except Exception as err:  # noqa: BLE001
                session.log(f"restart failed: {err}")
                continue
            ok = True
            for index in range(next_index):
                if meta[index].get("role") != "locked":
                    continue
                outcome, _ = run.execute(_source(cells[index]), run.cell_timeout)
                if outcome.lost:
                    ok = False
                    break
            if ok:
                return True
        return False

    try:
        run.start(fresh=False)
    except Exception as err:  # noqa: BLE001 -- reported as a failed job: grading itself broke
        return Result(
            job.name,
            "failed",
            f"the kernel could not be prepared: {err}",
            time.monotonic() - started,
        )
    alive = True
    for index, cell in enumerate(cells):
        role = meta[index].get("role", "student")
        if not alive:
            outcomes.append({"status": "skipped", "error": note})
            continue
        if session.timed_out or (session.remaining() is not None and session.remaining() <= 0):
            note = "notebook"
            alive = False
            outcomes.append({"status": "skipped", "error": note})
            continue
        budget = run.cell_timeout
        remaining = session.remaining()
        if remaining is not None:
            budget = remaining if budget is None else min(budget, remaining)
        outcome, _ = run.execute(_source(cell), budget)
        if outcome.status == "timeout" and (
            session.timed_out
            or (
                remaining is not None
                and run.cell_timeout is not None
                and remaining < run.cell_timeout
            )
        ):
            outcome.error = "notebook"
        outcomes.append({"status": outcome.status, "error": outcome.error})
        if outcome.error == "notebook":
            note = "notebook"
            alive = False
            continue
        if outcome.lost:
            if not recover(index + 1):
                note = "notebook" if session.timed_out else "restart"
                alive = False
            continue
        if role == "student":
            remember(run.read_answers(names))
    if alive:
        remember(run.read_answers(names))
    run.end_groups()
    cells_out = [
        {
            "number": meta[i].get("number"),
            "role": meta[i].get("role", "student"),
            "exercises": meta[i].get("exercises", []),
            **outcomes[i],
        }
        for i in range(len(outcomes))
    ]
    extra = {
        "cells": cells_out,
        "answers": answers,
        "restarts": run.restarts,
        "confined": run.confined,
        "memory_limit": run.memory,
    }
    return Result(job.name, "ok", "", time.monotonic() - started, extra=extra)


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)
