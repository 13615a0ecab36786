"""Peak memory (resident set size) of a command or a process tree, for `make bench` (Linux only).

`measure(argv)` runs a command and returns its peak RSS and wall time: the kernel's
`ru_maxrss` from `wait4` for that command, which covers it and every descendant it waited
for, as the largest of them (not a sum): what `/usr/bin/time -v` calls "Maximum resident
set size". Unlike `getrusage(RUSAGE_CHILDREN)` it is not mixed with the peaks of earlier
commands. The command is started by a small Python launcher, not by the caller itself,
because Linux counts a child's size before `exec` (a copy of its parent's, for a moment)
in its peak: a benchmark of some hundred megabytes would otherwise make every command it
measures look at least that large. The launcher's own size (about 10 MB) is the floor.

`tree_peak_rss(pid)` is for a process still running: the sum of the high-water marks
(`VmHWM` in /proc/<pid>/status) of the process and its live descendants, an upper bound
of the tree's peak, since the processes need not have peaked at the same moment.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Measurement", "measure", "tree_peak_rss", "self_peak_rss"]

_PROC = Path("/proc")


@dataclass(frozen=True)
class Measurement:
    returncode: int
    peak_rss_bytes: int
    wall_seconds: float

    @property
    def peak_rss_mb(self) -> float:
        return self.peak_rss_bytes / 2**20


# Runs argv[2:] and writes "<exit code> <ru_maxrss in KiB>" to file descriptor argv[1].
_LAUNCHER = """
import os, sys
fd, argv = int(sys.argv[1]), sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.close(fd)
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
os.write(fd, f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}".encode())
"""


def measure(argv: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
            quiet: bool = True) -> Measurement:
    """Run `argv` to its end; its exit code (127: not found; -N: killed by signal N), peak RSS
    (bytes) and wall time. `quiet` discards its output."""
    out = subprocess.DEVNULL if quiet else None
    read, write = os.pipe()
    try:
        started = time.monotonic()
        launcher = subprocess.Popen([sys.executable, "-I", "-S", "-c", _LAUNCHER, str(write), *argv],
                                    cwd=cwd, env=env, stdout=out, stderr=out, pass_fds=(write,))
        os.close(write)
        write = -1
        with os.fdopen(read, "rb") as fh:
            read = -1
            report = fh.read().decode()
        launcher.wait()
        wall = time.monotonic() - started
    finally:
        for fd in (read, write):
            if fd >= 0:
                os.close(fd)
    if launcher.returncode != 0 or not report:
        raise RuntimeError(f"the measuring launcher failed (exit {launcher.returncode}) running {argv[0]!r}")
    code, maxrss_kib = (int(x) for x in report.split())
    return Measurement(code, maxrss_kib * 1024, wall)  # Linux reports KiB


def self_peak_rss() -> int:
    """This process's own peak RSS so far, in bytes."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _parents() -> dict[int, int]:
    """Every live process's parent, from /proc/<pid>/stat (/proc/<pid>/task/*/children is not
    on every kernel)."""
    parent = {}
    for stat in _PROC.glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid ...": comm may hold spaces or parentheses, so split after the last ')'
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):  # ended meanwhile
            continue
        parent[int(stat.parent.name)] = ppid
    return parent


def _vm_hwm(pid: int) -> int:
    try:
        for line in (_PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0  # ended meanwhile, or a kernel thread


def tree_peak_rss(pid: int) -> int:
    """Sum of the peak RSS (bytes) of `pid` and its live descendants: an upper bound of the tree's peak."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _vm_hwm(p)
        todo += children.get(p, [])
    return total
