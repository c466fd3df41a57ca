"""annotator.toml: settings, key remaps, and one-line errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.config import load_config
from annotator.errors import ConfigError


def test_settings_and_keys(tmp_path: Path) -> None:
    path = tmp_path / "annotator.toml"
    path.write_text(
        'annotator = "alice"\nspeaker_pattern = "^(?P<speaker>[A-Z]+):"\n[keys]\nno_label = "z"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.annotator == "alice"
    assert config.speaker_pattern == "^(?P<speaker>[A-Z]+):"
    assert config.keys == {"no_label": "z"}


def test_no_config_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nothing"))
    assert load_config().path is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("annotator = ", "not valid TOML"),
        ('colour = "red"\n', "unknown field 'colour'"),
        ("[keys]\nno_label = 3\n", "must map action names"),
        ("pipeline = 3\n", "'pipeline' must be a string"),
        ('[keys]\nnope = "z"\n', "no action 'nope'"),
        ('[behaviour]\nenter = "jump"\n', "enter must be one of next, next-undecided"),
        ('[behaviour]\nspeed = "fast"\n', "may only set enter"),
    ],
)
def test_bad_config_names_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "annotator.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(path)
    assert str(path) in str(caught.value)


def test_enter_can_move_to_the_next_undecided_sentence(tmp_path: Path) -> None:
    from annotator.labels import load_labels
    from annotator.log import AnnotationLog
    from annotator.resources import sample_transcript
    from annotator.session import AnnotationSession, Position
    from annotator.sources import load_documents

    path = tmp_path / "annotator.toml"
    path.write_text('[behaviour]\nenter = "next-undecided"\n', encoding="utf-8")
    config = load_config(path)
    assert config.enter == "next-undecided"
    documents = list(load_documents([sample_transcript()]))
    labels = load_labels()
    with AnnotationLog.open(tmp_path / "a.jsonl", "a", labels=labels) as log:
        session = AnnotationSession(documents, labels, log)
        session.enter_moves_to = config.enter
        session.go_to(0, 0, 1)
        session.toggle_label("commitment")  # sentence 2 and 3 decided...
        session.go_to(0, 0, 2)
        session.toggle_label("procedural")
        session.go_to(0, 0, 1)  # ...back on sentence 2, Enter skips sentence 3
        assert session.confirm()
        assert session.position == Position(0, 0, 3)
        session.enter_moves_to = "next"
        session.go_to(0, 0, 1)
        session.confirm()
        assert session.position == Position(0, 0, 2)


def test_a_key_remap_onto_another_actions_or_a_labels_key_is_refused() -> None:
    """``no_label = "1"`` took commitment's key without a word (the panel still showed
    1 for commitment, and 1 recorded "no label"); ``flag = "j"`` shadowed moving down."""
    from annotator.keys import keymap_clashes

    labels = {"commitment": "1", "threat assessment": "2"}
    assert keymap_clashes({"no_label": "1"}, labels) == [
        "[keys] no_label = '1' is also the key of label 'commitment'"
    ]
    assert keymap_clashes({"flag": "j"}, labels) == ["[keys] flag = 'j' is also the key of next"]
    assert keymap_clashes({"label.commitment": "x"}, labels) == [
        "[keys] label.commitment = 'x' is also the key of no_label"
    ]
    # Free keys, and a key freed by remapping its action away, are fine.
    assert keymap_clashes({"no_label": "v", "next_undecided": "ctrl+n"}, labels) == []
    assert keymap_clashes({"no_label": "v", "label.commitment": "x"}, labels) == []


def test_annotate_refuses_a_clashing_remap_in_one_line(tmp_path: Path) -> None:
    from tests.command_line import run_cli

    (tmp_path / "annotator.toml").write_text('[keys]\nno_label = "1"\n', encoding="utf-8")
    result = run_cli("annotate", cwd=tmp_path)
    assert result.returncode == 1
    assert "annotator.toml: [keys] no_label = '1' is also the key of label" in result.stderr
    assert not (tmp_path / "annotations").exists() or not any((tmp_path / "annotations").iterdir())
