"""The grader's code that runs inside a student's kernel: the prelude and the answer probe.

Neither is imported by the kernel. ``source(name)`` gives a function's source text, which the
grader (``grading.runner``) sends to the kernel, calls once and deletes; so the functions use
the standard library only, and ``globals()`` in the probe is the student's namespace. Nothing
the kernel replies is trusted beyond being JSON data.
"""

from __future__ import annotations

import inspect
import sys


def source(name: str) -> str:
    """The source text of the function ``name`` of this module."""
    return inspect.getsource(getattr(sys.modules[__name__], name))


# Runs before anything else: the data copy as $ZJANALYSIS_DATA, temporary files in the working
# folder, no inline figures, RLIMIT_AS at the memory limit and, where Linux has Landlock, no
# writes outside the working folder, no TCP and no signals to other processes.
def _zjanalysis_prelude(work, data, cache, memory_mb):
    import json
    import os
    import resource
    import sys
    import tempfile

    if data:
        os.environ["ZJANALYSIS_DATA"] = data
    if cache:
        os.environ["ZJANALYSIS_CACHE"] = cache
    tmp = os.path.join(work, "tmp")
    os.makedirs(tmp, exist_ok=True)
    for name in ("TMPDIR", "TEMP", "TMP"):
        os.environ[name] = tmp
    tempfile.tempdir = tmp
    os.environ["MPLBACKEND"] = "agg"
    if "matplotlib" in sys.modules:
        import matplotlib.pyplot as plt

        plt.switch_backend("agg")
        from IPython import get_ipython

        ip = get_ipython()
        ip.events.register("post_execute", lambda: plt.close("all"))
    limit = None
    if memory_mb:
        want = int(memory_mb) * 2**20
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > want:
            resource.setrlimit(resource.RLIMIT_AS, (want, want))
        limit = resource.getrlimit(resource.RLIMIT_AS)[1]
    confined = []
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        syscall = libc.syscall
        syscall.restype = ctypes.c_long
        abi = syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
        if abi >= 1:
            write = (
                (1 << 1)
                | (1 << 4)
                | (1 << 5)
                | (1 << 6)
                | (1 << 7)
                | (1 << 8)
                | (1 << 9)
                | (1 << 10)
                | (1 << 11)
                | (1 << 12)
            )
            if abi >= 2:
                write |= 1 << 13
            if abi >= 3:
                write |= 1 << 14
            net = 3 if abi >= 4 else 0  # bind and connect TCP
            scoped = 2 if abi >= 6 else 0  # signals to processes outside the sandbox
            attr = (ctypes.c_uint64 * 3)(write, net, scoped)
            size = 8 if abi < 4 else 16 if abi < 6 else 24
            ruleset = syscall(444, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
            if ruleset >= 0:
                ok = True
                devices = (1 << 1) | ((1 << 14) if abi >= 3 else 0)
                for path, access in ((work, write), ("/dev", devices)):
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                    rule = ctypes.create_string_buffer(12)
                    ctypes.memmove(
                        rule,
                        ctypes.c_uint64(access).value.to_bytes(8, sys.byteorder)
                        + fd.to_bytes(4, sys.byteorder, signed=True),
                        12,
                    )
                    ok = ok and syscall(445, ruleset, 1, rule, 0) == 0
                    os.close(fd)
                ok = ok and libc.prctl(38, 1, 0, 0, 0) == 0
                ok = ok and syscall(446, ruleset, 0) == 0
                os.close(ruleset)
                if ok:
                    confined = (
                        ["writes"] + (["network"] if net else []) + (["signals"] if scoped else [])
                    )
    except Exception:
        pass
    return json.dumps(
        {"pid": os.getpid(), "pgid": os.getpgid(0), "memory": limit, "confined": confined}
    )


# Reads the answer variables as plain data; only exact built-in types (and numpy scalars, and
# zjanalysis.figures intervals) are read as values, anything else is reported by type name.
def _zjanalysis_probe(names, max_text, max_items):
    import json
    import math

    space = globals()

    def number(v):
        t = type(v)
        if t is float or t is int:
            try:
                return float(v)
            except OverflowError:
                return math.copysign(math.inf, v)
        if t.__module__ == "numpy" and t.__name__ in (
            "float64",
            "float32",
            "float16",
            "int64",
            "int32",
            "int16",
            "int8",
            "uint64",
            "uint32",
            "uint16",
            "uint8",
            "longlong",
            "ulonglong",
        ):
            return float(v)
        return None

    def plain(v):
        t = type(v)
        if v is None or v is Ellipsis:
            return {"kind": "placeholder"}
        if t is bool or (t.__module__ == "numpy" and t.__name__ == "bool_"):
            return {"kind": "bool", "value": bool(v)}
        n = number(v)
        if n is not None:
            return {"kind": "number", "value": n}
        if t is str:
            if len(v) > max_text:
                return {"kind": "other", "type": f"str longer than {max_text} characters"}
            return {"kind": "text", "value": v}
        return None

    def read(v):
        got = plain(v)
        if got is not None:
            return got
        t = type(v)
        if t is list or t is tuple:
            if len(v) > max_items:
                return {"kind": "other", "type": f"list longer than {max_items} items"}
            items = [plain(x) for x in v]
            if any(i is None or i["kind"] == "placeholder" for i in items):
                return {"kind": "other", "type": "list holding something else than numbers or text"}
            return {"kind": "list", "items": items}
        if t.__module__ == "zjanalysis.figures" and t.__name__ in ("Interval", "Stated"):
            box = v.interval if t.__name__ == "Stated" else v
            if type(box).__module__ == "zjanalysis.figures" and type(box).__name__ == "Interval":
                lo, hi = number(box.lo), number(box.hi)
                if lo is not None and hi is not None:
                    return {"kind": "interval", "lo": lo, "hi": hi}
        return {"kind": "other", "type": t.__name__[:60]}

    out = {}
    for name in names:
        if name not in space:
            out[name] = {"kind": "absent"}
            continue
        try:
            out[name] = read(space[name])
        except Exception as err:
            out[name] = {"kind": "other", "type": type(err).__name__ + " while reading it"}
    return json.dumps(out)
