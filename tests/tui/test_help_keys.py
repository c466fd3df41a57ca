"""The help screen's key table: every action once, in sections, one aligned column."""

from __future__ import annotations

from annotator.keys import KEY_ACTIONS
from annotator.labels import load_labels
from annotator.tui.screens.help import key_display, keys_table


def test_every_action_is_listed_once_with_its_keys_in_one_column() -> None:
    labels = load_labels()
    table = keys_table(labels, {"flag": "F8"}, model=True).plain.splitlines()
    rows = [line for line in table if line.startswith("  ")]
    # Labels, every action and the palette; nothing twice.
    assert len(rows) == len(labels.labels) + len(KEY_ACTIONS) + 1
    names = {f" {label.name} " for label in labels.labels}  # a chip pads its name

    def column(line: str) -> int:
        what = line[2:].split("  ", 1)[1].lstrip()
        return len(line) - len(what) - (1 if line.endswith(tuple(names)) else 0)

    columns = {column(line) for line in rows}
    assert len(columns) == 1, table  # every description (or chip) starts in one column
    assert any(line.split()[0] == "F8" and "flag" in line for line in rows)  # remapped
    assert not any(line.split()[0] == "f" for line in rows)
    assert key_display("ctrl+r,U") == "Ctrl+R / U"  # two keys, not a chord
    headings = [line for line in table if line and not line.startswith(" ")]
    assert headings[0].startswith("Labels:") and "Notes, flags and boundaries" in headings


def test_suggestion_keys_are_listed_only_with_a_model() -> None:
    """Without ``--suggest``, ``a`` and Ctrl+T do nothing: help does not offer them."""
    labels = load_labels()
    without = keys_table(labels, {}).plain
    assert "take the suggested labels" not in without and "Ctrl+T" not in without
    with_model = keys_table(labels, {}, model=True).plain
    assert "take the suggested labels" in with_model and "Ctrl+T" in with_model
