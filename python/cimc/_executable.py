"""Finding the ``cimc`` executable and running it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterable, Optional, Sequence


class CimcError(RuntimeError):
    """``cimc`` refused its input or failed.

    ``command`` is the command line, ``returncode`` its exit status and
    ``diagnostics`` what it wrote to standard error (the diagnostics with
    their locations)."""

    def __init__(self, command: Sequence[str], returncode: int, diagnostics: str):
        self.command = list(command)
        self.returncode = returncode
        self.diagnostics = diagnostics
        lines = [line for line in diagnostics.splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line]
        headline = (errors or lines or ["no diagnostics"])[0]
        super().__init__(f"cimc exited with status {returncode}: {headline}")


def executable(explicit: Optional[str | os.PathLike] = None) -> str:
    """The ``cimc`` to run: ``explicit``, else ``$CIMC``, else ``cimc`` on
    ``PATH``, else the release (then debug) build of the checkout this
    package was installed from."""
    for candidate in (explicit, os.environ.get("CIMC")):
        if candidate:
            return str(candidate)
    found = shutil.which("cimc")
    if found:
        return found
    checkout = Path(__file__).resolve().parents[2]
    for build in ("release", "debug"):
        path = checkout / "target" / build / "cimc"
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    raise FileNotFoundError(
        "cannot find the cimc executable: set CIMC=/path/to/cimc, put cimc on PATH, "
        "or build it in the checkout (cargo build --release --bin cimc)"
    )


def run(
    args: Iterable[object],
    *,
    cimc: Optional[str | os.PathLike] = None,
    check: bool = True,
    cwd: Optional[str | os.PathLike] = None,
) -> subprocess.CompletedProcess:
    """Runs ``cimc ARGS``, capturing its output as text; a non-zero exit
    raises :class:`CimcError` when ``check``."""
    command = [executable(cimc), *(os.fspath(a) if isinstance(a, os.PathLike) else str(a) for a in args)]
    process = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )
    if check and process.returncode != 0:
        raise CimcError(command, process.returncode, process.stderr)
    return process
