"""The core never imports a shell: nothing headless renders.

harlequin's ``test_import_hygiene.py`` is the model.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import annotator

SHELLS = ("annotator.cli", "annotator.tui", "annotator.__main__")


def _core_modules() -> list[str]:
    """Every module under annotator/, subpackages included, but the two shells (found
    from the files, so that listing them imports nothing)."""
    root = Path(annotator.__file__).parent
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if not name.startswith(SHELLS):
            names.append(name)
    return names


CORE_MODULES = _core_modules()


def test_the_core_is_every_module_but_the_shells() -> None:
    """The list reaches into subpackages (a test over top-level modules only once let
    annotator.export.* go unchecked), and holds no shell module."""
    for name in (
        "annotator.segment",
        "annotator.export.records",
        "annotator.log.replay",
        "annotator.agreement",
        "annotator.ingest.conventions",
        "annotator.opening",
    ):
        assert name in CORE_MODULES
    assert not [name for name in CORE_MODULES if name.startswith(SHELLS)]
    assert len(CORE_MODULES) > 50


# Run in a fresh interpreter: import every core module, and name each module that
# imports textual, rich or a shell itself. spaCy loads rich through weasel and httpx,
# so "rich is in sys.modules" says nothing; who asked for it does.
_WHO_IMPORTS = """
import importlib, sys

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("textual", "rich") or name.startswith(
            ("annotator.tui", "annotator.cli")
        ):
            frame = sys._getframe(1)
            while frame and frame.f_globals.get("__name__", "").startswith(
                ("importlib", "_frozen_importlib")
            ):
                frame = frame.f_back
            importer = frame.f_globals.get("__name__", "") if frame else ""
            if importer.startswith("annotator") and not importer.startswith(
                ("annotator.tui", "annotator.cli")
            ):
                found.add(importer + " imports " + name)
        return None

found = set()
sys.meta_path.insert(0, Watch())
for name in NAMES:
    importlib.import_module(name)
print("\\n".join(sorted(found)))
"""


def test_nothing_headless_renders() -> None:
    """Imported in a fresh interpreter, no core module loads Textual, Rich or a shell:
    rendering lives in annotator/cli/render and the TUI."""
    code = _WHO_IMPORTS.replace("NAMES", repr(CORE_MODULES))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_watch_sees_a_core_module_that_renders(tmp_path: Path) -> None:
    """The check above fails when a core module imports rich: a package made for the
    test, named ``annotator_probe`` so that the watch counts it as ours."""
    package = tmp_path / "annotator_probe"
    package.mkdir()
    (package / "__init__.py").write_text("import rich.console\n", encoding="utf-8")
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n" + _WHO_IMPORTS.replace(
        "NAMES", repr(["annotator_probe"])
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "annotator_probe imports rich" in result.stdout


def test_core_never_imports_a_terminal_library() -> None:
    """Rendering lives in annotator/cli/render and the TUI: no core module imports rich or
    textual (read from the source, since third-party libraries such as httpx load rich
    themselves). The one exception is rich's table of colour names, which labels.yaml
    validation reads so that it accepts exactly what the screen can draw."""
    root = Path(annotator.__file__).parent
    allowed = {("labels.py", "rich.color")}
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] in {"tui", "cli", "__main__.py"}:
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
