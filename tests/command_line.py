"""The command line as a user runs it, in this process: ``run_cli`` calls
``annotator.cli.main`` (which turns an ``AnnotatorError`` into one line and exit
code 1) with standard input, output and error captured, in a given folder, with no
user config and a wide terminal. A test of what only a real process shows (heavy
imports kept out of ``--help``, the installed entry point) uses ``run_process``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from annotator.cli import main


@dataclass(frozen=True)
class Ran:
    """What a command did: its exit code and what it printed (as ``CompletedProcess``)."""

    returncode: int
    stdout: str
    stderr: str


def _env(cwd: Path, extra: dict[str, str] | None) -> dict[str, str]:
    return {"XDG_CONFIG_HOME": str(cwd / ".config"), "COLUMNS": "200", "NO_COLOR": "1"} | (
        extra or {}
    )


def run_cli(
    *args: str | Path,
    cwd: Path,
    stdin: str | bytes | None = None,
    env: dict[str, str] | None = None,
) -> Ran:
    """``annotator ARGS`` run in ``cwd``, in this process."""
    runner = CliRunner()
    with contextlib.chdir(cwd), runner.isolation(input=stdin, env=_env(cwd, env)) as outputs:
        try:
            main([str(arg) for arg in args])
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
        for stream in (sys.stdout, sys.stderr):
            if not stream.closed:
                stream.flush()
        stdout, stderr = outputs[0].getvalue(), outputs[1].getvalue()
    return Ran(code, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"))


def run_process(
    *args: str | Path, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m annotator ARGS`` in a subprocess (for what only a real process shows)."""
    return subprocess.run(
        [sys.executable, "-m", "annotator", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        input=stdin,
        cwd=cwd,
        env=dict(os.environ) | _env(cwd, env),
        timeout=300,
    )
