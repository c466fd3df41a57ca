"""The core never imports the TUI: every core module loads without textual."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import annotator

CORE_MODULES = sorted(
    f"annotator.{m.name}"
    for m in pkgutil.iter_modules(annotator.__path__)
    # The command line (cli.py and its cli_* command modules) is a shell, like the TUI.
    # render/ lays results out for a terminal with rich, for the command line.
    if m.name not in {"tui", "render", "__main__"}
    and m.name != "cli"
    and not m.name.startswith("cli_")
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


def test_core_never_imports_a_terminal_library() -> None:
    """Rendering lives in annotator/render and the TUI: no core module imports rich or
    textual (read from the source, since third-party libraries such as httpx load rich
    themselves). The one exception is rich's table of colour names, which labels.yaml
    validation reads so that it accepts exactly what the screen can draw."""
    root = Path(annotator.__file__).parent
    allowed = {("labels.py", "rich.color")}
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] in {"tui", "render", "__main__.py"} or relative.name.startswith("cli"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                if (
                    name.split(".")[0] in {"rich", "textual"}
                    and (
                        relative.as_posix(),
                        name,
                    )
                    not in allowed
                ):
                    found.append(f"{relative}: {name}")
    assert found == []
