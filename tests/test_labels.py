"""labels.yaml: the shipped set loads, and every mistake names its file, line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from rich.console import Console

from annotator import resources
from annotator.cli.render.labels import format_label_table
from annotator.errors import LabelsError
from annotator.labels import load_labels, navigation_keys, parse_labels


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "labels.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_the_shipped_label_set_loads_and_is_fit_for_policy_statements() -> None:
    label_set = load_labels()
    assert label_set.source == str(resources.default_labels_path())
    names = label_set.names
    for needed in ("commitment", "threat assessment", "procedural"):
        assert needed in names
    assert len(names) >= 6
    assert not label_set.exclusive  # multi-label by default
    assert [label.key for label in label_set.labels][:3] == ["1", "2", "3"]
    assert label_set.guidelines
    for label in label_set.labels:
        assert label.description and "\n" not in label.description
        assert label.examples, f"{label.name} has no example sentence"
        assert label.key not in navigation_keys()
        assert label_set.by_key[label.key] is label


def test_keys_default_to_1_to_9_then_0_in_order_skipping_chosen_keys(tmp_path: Path) -> None:
    names = [f"label {n}" for n in range(10)]
    body = "".join(f"  - name: {name}\n" for name in names)
    path = write(tmp_path, "labels:\n  - name: chosen\n    key: '2'\n" + body[: body.rfind("  - ")])
    label_set = load_labels(path)
    keys = [label.key for label in label_set.labels]
    assert keys == ["2", "1", "3", "4", "5", "6", "7", "8", "9", "0"]


def test_any_single_non_navigation_key_may_be_chosen(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        exclusive: true
        guidelines: One label per sentence.
        labels:
          - {name: commitment, key: c, color: red}
          - {name: threat, key: T, color: "#AbCdEf"}
          - {name: other, key: 7}
        """,
    )
    label_set = load_labels(path)
    assert [label.key for label in label_set.labels] == ["c", "T", "7"]
    assert label_set.exclusive and label_set.guidelines == "One label per sentence."
    assert label_set.labels[1].color == "#AbCdEf"


BAD_FILES = [
    (
        "duplicate name",
        """
        labels:
          - name: commitment
          - name: position
          - name: Commitment
        """,
        4,
        ["label 'Commitment'", "field 'name'", "duplicate name", "line 2"],
    ),
    (
        "duplicate key",
        """
        labels:
          - name: commitment
            key: c
          - name: criticism
            key: c
        """,
        5,
        ["label 'criticism'", "field 'key'", "'c' is already used by label 'commitment'"],
    ),
    (
        "navigation key",
        """
        labels:
          - name: commitment
            description: The speaker pledges action.
            key: j
        """,
        4,
        ["label 'commitment'", "field 'key'", "'j' is a navigation key"],
    ),
    (
        "navigation key by name",
        """
        labels:
          - name: commitment
            key: enter
        """,
        3,
        ["label 'commitment'", "field 'key'", "'enter' is a navigation key"],
    ),
    (
        "a key the annotation screen uses",
        """
        labels:
          - name: guidance-like
            key: i
        """,
        3,
        ["field 'key'", "'i' is a navigation key"],
    ),
    (
        "space as a key",
        """
        labels:
          - name: commitment
            key: " "
        """,
        3,
        ["field 'key'", "'space' is a navigation key"],
    ),
    (
        "key longer than a chord",
        """
        labels:
          - name: commitment
            key: ctrl+c
        """,
        3,
        ["field 'key'", "'ctrl+c' is not a key: give one printable key"],
    ),
    (
        "missing name",
        """
        labels:
          - name: commitment
          - key: "2"
            description: no name here
        """,
        3,
        ["field 'name'", "missing"],
    ),
    (
        "empty name",
        """
        labels:
          - name: ""
        """,
        2,
        ["field 'name'", "must not be empty"],
    ),
    (
        "unknown field in a label",
        """
        labels:
          - name: commitment
            colour: red
        """,
        3,
        ["label 'commitment'", "field 'colour'", "did you mean 'color'?"],
    ),
    (
        "unknown field at the top",
        """
        exclusiv: true
        labels:
          - name: commitment
        """,
        1,
        ["field 'exclusiv'", "did you mean 'exclusive'?"],
    ),
    (
        "a field given twice",
        """
        labels:
          - name: commitment
            key: c
            key: d
        """,
        4,
        ["label 'commitment'", "field 'key'", "given twice (first on line 3)"],
    ),
    (
        "bad colour name",
        """
        labels:
          - name: commitment
            color: reddish
        """,
        3,
        ["label 'commitment'", "field 'color'", "'reddish' is not a colour"],
    ),
    (
        "bad hex colour",
        """
        labels:
          - name: commitment
            color: "#12345"
        """,
        3,
        ["field 'color'", "'#12345' is not a colour"],
    ),
    (
        "empty label set",
        """
        guidelines: Label everything.
        labels: []
        """,
        2,
        ["field 'labels'", "empty"],
    ),
    (
        "no labels at all",
        """
        guidelines: Label everything.
        """,
        1,
        ["field 'labels'", "missing"],
    ),
    (
        "exclusive is not a yes/no",
        """
        exclusive: sometimes
        labels:
          - name: commitment
        """,
        1,
        ["field 'exclusive'", "true or false"],
    ),
    (
        "description on two lines",
        """
        labels:
          - name: commitment
            description: |
              First line.
              Second line.
        """,
        3,
        ["field 'description'", "one line", "guidance"],
    ),
    (
        "examples that are not sentences",
        """
        labels:
          - name: commitment
            examples: {a: b}
        """,
        3,
        ["field 'examples'", "list of example sentences"],
    ),
    (
        "invalid YAML",
        """
        labels:
          - name: commitment
           key: c
        """,
        3,
        ["invalid YAML"],
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "fragments"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_each_mistake_names_file_line_and_field(
    tmp_path: Path, text: str, line: int, fragments: list[str]
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(LabelsError) as caught:
        load_labels(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    for fragment in fragments:
        assert fragment in message, message


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(LabelsError, match="empty"):
        load_labels(path)


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LabelsError, match="no such labels file"):
        load_labels(tmp_path / "nope.yaml")


def test_yaml_tags_are_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    path = write(
        tmp_path,
        f"""
        labels:
          - name: !!python/object/apply:os.system ["touch {marker}"]
        """,
    )
    with pytest.raises(LabelsError):
        load_labels(path)
    assert not marker.exists()


def test_the_table_shows_every_label_and_keeps_markup_literal(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        labels:
          - name: commitment
            description: "Pledges [bold]action[/bold]."
            color: green
        """,
    )
    console = Console(width=120, record=True)
    console.print(format_label_table(load_labels(path)))
    shown = console.export_text()
    assert "commitment" in shown and "Pledges [bold]action[/bold]." in shown
    assert "multi-label" in shown

    console = Console(width=160, record=True)
    console.print(format_label_table(load_labels()))
    shown = console.export_text()
    for name in load_labels().names:
        assert name in shown


def test_shipped_labels_have_decision_rules_and_near_misses() -> None:
    shipped = load_labels()
    for label in shipped.labels:
        assert label.decision_rules, label.name
        assert label.near_misses, label.name
        assert all(m.because and m.instead is not None for m in label.near_misses), label.name
    commitment = shipped.labels[0]
    assert commitment.near_misses[0].instead == ("reassurance",)


def test_every_decision_rule_and_near_miss_is_in_the_help_screen() -> None:
    from annotator.tui.screens.help import label_guide

    shipped = load_labels()
    shown = label_guide(shipped).plain
    for label in shipped.labels:
        for rule in label.decision_rules:
            assert rule in shown
        for near_miss in label.near_misses:
            assert f"not this label: {near_miss.text}, because {near_miss.because}" in shown


def test_a_near_miss_naming_an_unknown_label_is_an_error_with_its_line() -> None:
    text = (
        "labels:\n"
        "  - name: a\n"
        "    near_misses:\n"
        "      - text: Not a.\n"
        "        because: it is b.\n"
        "        instead: [c]\n"
        "  - name: b\n"
    )
    with pytest.raises(LabelsError) as caught:
        parse_labels(text, source="x.yaml")
    message = str(caught.value)
    assert message.startswith("x.yaml:6: label 'a': field 'near_misses':")
    assert "no label named 'c'" in message


def test_decision_rules_must_be_text_and_near_misses_need_text() -> None:
    with pytest.raises(LabelsError, match="field 'decision_rules'"):
        parse_labels("labels:\n  - name: a\n    decision_rules: {x: 1}\n")
    with pytest.raises(LabelsError, match="needs 'text:'"):
        parse_labels("labels:\n  - name: a\n    near_misses:\n      - because: no text\n")
    parsed = parse_labels(
        "labels:\n  - name: a\n    decision_rules: If x, then a.\n"
        "    near_misses: [Just a sentence.]\n"
    )
    assert parsed.labels[0].decision_rules == ("If x, then a.",)
    assert parsed.labels[0].near_misses[0].instead is None


def test_labels_check_lists_every_error_in_the_file(tmp_path: Path) -> None:
    from annotator.labels import LabelErrors
    from tests.test_cli import run_cli

    (tmp_path / "bad.yaml").write_text(
        "labels:\n"
        "  - name: commitment\n    color: notacolour\n"
        "  - name: threat\n    key: '1'\n"
        "  - name: procedural\n    exclusive: maybe\n"
        "  - description: no name\n",
        encoding="utf-8",
    )
    with pytest.raises(LabelErrors) as caught:
        load_labels(tmp_path / "bad.yaml")
    assert len(caught.value.messages) == 3
    assert "(and 2 more: annotator labels check lists them)" in str(caught.value)
    result = run_cli("labels", "check", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert [line.split(":")[3] for line in lines[:3]] == ["3", "7", "8"], lines
    assert lines[-1] == "3 errors in bad.yaml"
    # Duplicates are all reported, beside each other: a duplicate key hid a duplicate
    # name after it.
    (tmp_path / "dup.yaml").write_text(
        "labels:\n  - name: commitment\n    key: '1'\n  - name: threat\n    key: '1'\n"
        "  - name: commitment\n    key: '2'\n",
        encoding="utf-8",
    )
    dup = run_cli("labels", "check", "dup.yaml", cwd=tmp_path).stderr.splitlines()
    assert "already used by label 'commitment'" in dup[0] and "duplicate name" in dup[1], dup
    assert dup[-1] == "2 errors in dup.yaml"


def test_a_codebook_beyond_ten_labels_needs_no_keys_and_ships_an_example() -> None:
    """Labels past the ten number keys have no key (the picker reaches them); the CAP
    major-topic codebook in data/ is such a set."""
    eleven = parse_labels("labels:\n" + "".join(f"  - name: label {n}\n" for n in range(11)))
    assert [label.key for label in eleven.labels][-2:] == ["0", ""]
    cap = load_labels(Path(__file__).parent.parent / "data" / "labels-cap-major-topics.yaml")
    assert len(cap.labels) == 21 and sum(1 for label in cap.labels if label.key) == 10
    assert {"defense", "international affairs", "foreign trade"} <= set(cap.names)
