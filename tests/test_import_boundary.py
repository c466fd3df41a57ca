"""The core never imports the TUI: every core module loads without textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import annotator

CORE_MODULES = sorted(
    f"annotator.{m.name}"
    for m in pkgutil.iter_modules(annotator.__path__)
    # The command line (cli.py and its cli_* command modules) is a shell, like the TUI.
    if m.name not in {"tui", "__main__"} and m.name != "cli" and not m.name.startswith("cli_")
)


def test_core_modules_exist() -> None:
    assert "annotator.transcript" in CORE_MODULES
    assert "annotator.segment" in CORE_MODULES


def test_core_never_imports_textual() -> None:
    code = (
        "import sys, importlib\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual'\n"
        "             or m.startswith('annotator.tui') or m == 'annotator.cli'\n"
        "             or m.startswith('annotator.cli_'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
