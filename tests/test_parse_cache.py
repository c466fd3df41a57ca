"""The parse cache: a second open of a raw transcript needs no spaCy, and shows the same."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import annotator.segment
from annotator import parse_cache
from annotator.model import Document
from annotator.parse_cache import CACHE_ENV, cache_folder
from annotator.resources import sample_transcript
from annotator.sources import Reading, load_documents
from tests.command_line import run_cli

REPO = Path(__file__).resolve().parents[1]

# Windows-1252 bytes (a warning), a colon convention, a stage direction (a note).
CP1252 = (
    "Briefing on caf\xe9 policy\n\n"
    "MS. DUPONT: Good morning. (Laughter.) We begin now.\n\n"
    "QUESTION: What\u2019s next? And when?\n\n"
    "MS. DUPONT: Nothing. Thank you.\n"
).encode("cp1252")


@pytest.fixture
def entries() -> Path:
    """The folder the cache keeps its entries in (a fresh one per test, see conftest)."""
    return Path(os.environ[CACHE_ENV]) / "parses"


@pytest.fixture
def segmented(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the documents spaCy segments from here on (cache hits never get here)."""
    seen: list[str] = []
    original = annotator.segment.segment_documents

    def counting(documents: Iterator[Document], *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        def noted() -> Iterator[Document]:
            for document in documents:
                seen.append(document.id)
                yield document

        return original(noted(), *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(annotator.segment, "segment_documents", counting)
    return seen


def copy_sample(folder: Path, name: str = "sample.txt") -> Path:
    path = folder / name
    path.write_bytes(sample_transcript().read_bytes())
    return path


def test_a_cached_open_gives_exactly_what_a_fresh_parse_gives(
    tmp_path: Path, entries: Path, segmented: list[str]
) -> None:
    odd = tmp_path / "odd.txt"
    odd.write_bytes(CP1252)
    sample = copy_sample(tmp_path)
    paths = [sample, odd]
    fresh = list(load_documents(paths, reading=Reading(cache=False)))
    assert not list(entries.glob("*")) if entries.exists() else True
    cold = list(load_documents(paths))
    assert len(list(entries.glob("*.jsonl"))) == 2
    segmented.clear()
    warm = list(load_documents(paths))
    assert segmented == [], "the warm open went through spaCy"
    assert warm == cold == fresh
    # What the analyst sees besides the sentences: the reader's warnings and convention.
    assert warm[1].warnings and "Windows-1252" in warm[1].warnings[0]
    assert [d.convention for d in warm] == [d.convention for d in fresh]
    assert all(d.convention for d in warm)
    assert [d.sentence_count() for d in warm] == [d.sentence_count() for d in fresh]


def test_no_cache_neither_reads_nor_writes_entries(
    tmp_path: Path, entries: Path, segmented: list[str]
) -> None:
    sample = copy_sample(tmp_path)
    list(load_documents([sample]))
    segmented.clear()
    written = sorted(entries.iterdir())
    again = list(load_documents([sample], reading=Reading(cache=False)))
    assert segmented == [again[0].id]
    assert sorted(entries.iterdir()) == written


@pytest.mark.slow
def test_a_warm_open_never_imports_spacy(tmp_path: Path) -> None:
    """``annotator annotate`` on a transcript it has read before: no spaCy, no segmenter.

    The app itself is replaced by one that drains the background loader and exits,
    so the whole command runs in a subprocess without a terminal.
    """
    sample = copy_sample(tmp_path)
    script = textwrap.dedent(
        f"""
        import sys
        from annotator.tui.app import AnnotatorApp

        def run(self):
            for _ in self.pending or ():
                pass
            return "done"

        AnnotatorApp.run = run
        from annotator.cli import main
        sys.argv = ["annotator", "annotate", {str(sample)!r}, "-o", {str(tmp_path / "a.jsonl")!r}]
        try:
            main()
        finally:
            print(sorted(m for m in sys.modules if m == "spacy" or m == "annotator.segment"))
        """
    )
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / ".config"))

    def annotate() -> str:
        result = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert annotate() == "['annotator.segment', 'spacy']"  # cold: parsed and segmented
    assert annotate() == "[]"  # warm: straight from the cache


def test_an_edited_transcript_is_parsed_again(
    tmp_path: Path, entries: Path, segmented: list[str]
) -> None:
    sample = copy_sample(tmp_path)
    before = next(load_documents([sample]))
    sample.write_text(sample.read_text() + "\nMR. PRICE: One more thing. Thank you.\n")
    segmented.clear()
    after = next(load_documents([sample]))
    assert segmented == [after.id]
    assert after.text != before.text and after.turns[-1].speaker == "MR. PRICE"
    assert len(list(entries.glob("*.jsonl"))) == 2


@pytest.mark.parametrize(
    "change",
    ["speaker pattern", "reader version", "pipeline version", "place in a folder"],
)
def test_what_the_reading_depends_on_is_in_the_key(
    tmp_path: Path, segmented: list[str], monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    sample = copy_sample(tmp_path)
    list(load_documents([sample]))
    list(load_documents([sample]))
    assert len(segmented) == 1, "the same reading of the same file was not reused"
    segmented.clear()
    paths: list[Path] = [sample]
    reading = Reading()
    if change == "speaker pattern":
        reading = Reading(speaker_pattern=re.compile(r"(?P<speaker>[A-Z. ]+):"))
    elif change == "reader version":
        monkeypatch.setattr(parse_cache, "READER_VERSION", parse_cache.READER_VERSION + 1)
    elif change == "pipeline version":
        monkeypatch.setattr(parse_cache, "_version_of", lambda name: "99.0")
    else:
        paths = [tmp_path]  # the same bytes, now read as part of a folder (another id)
    list(load_documents(paths, reading=reading))
    assert len(segmented) == 1, f"a changed {change} reused the old reading"


def test_a_folder_mixes_cached_and_fresh_files_in_order(
    tmp_path: Path, segmented: list[str]
) -> None:
    folder = tmp_path / "hearings"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        copy_sample(folder, name)
    (folder / "d.jsonl").write_text(
        '{"speaker": "CHAIR", "text": "We begin. Thank you."}\n'
        '{"speaker": "MS. LEE", "text": "Thank you, Chair."}\n'
    )
    list(load_documents([folder]))
    edited = folder / "b.txt"
    edited.write_text(edited.read_text().replace("Thank you", "Thanks"))
    segmented.clear()
    mixed = list(load_documents([folder]))
    assert segmented == ["b"]
    assert [d.id for d in mixed] == ["a", "b", "c", "d"]
    assert mixed == list(load_documents([folder], reading=Reading(cache=False)))


@pytest.mark.parametrize(
    "damage",
    ["not JSON", "truncated", "wrong shape", "empty", "a folder", "a header only"],
)
def test_a_damaged_entry_is_ignored_and_the_file_parsed_again(
    tmp_path: Path, entries: Path, segmented: list[str], damage: str
) -> None:
    sample = copy_sample(tmp_path)
    fresh = list(load_documents([sample]))
    (entry,) = entries.glob("*.jsonl")
    text = entry.read_text()
    if damage == "not JSON":
        entry.write_bytes(b"\x00\xff garbage {")
    elif damage == "truncated":
        entry.write_text(text[: len(text) // 2])
    elif damage == "wrong shape":
        header = text.splitlines()[0]
        entry.write_text(header + '\n{"id": 3, "turns": [5, "x"], "text": []}\n')
    elif damage == "empty":
        entry.write_text("")
    elif damage == "a folder":
        entry.unlink()
        entry.mkdir()
    else:
        entry.write_text(text.splitlines()[0] + "\n")
    segmented.clear()
    again = list(load_documents([sample]))
    assert again == fresh
    assert segmented == [fresh[0].id]


def test_an_unwritable_cache_folder_only_costs_speed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(blocker))
    sample = copy_sample(tmp_path)
    assert list(load_documents([sample])) == list(
        load_documents([sample], reading=Reading(cache=False))
    )


def test_entries_are_written_whole_or_not_at_all(
    tmp_path: Path, entries: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = copy_sample(tmp_path)

    def interrupted(documents: object, path: Path, **kwargs: object) -> int:
        Path(path).write_text('{"format": "annotator-corpus"')
        raise KeyboardInterrupt

    original = parse_cache.write_corpus
    monkeypatch.setattr(parse_cache, "write_corpus", interrupted)
    with pytest.raises(KeyboardInterrupt):
        list(load_documents([sample]))
    assert list(entries.iterdir()) == []  # no entry, and no temporary file left behind
    monkeypatch.setattr(parse_cache, "write_corpus", original)
    list(load_documents([sample]))
    assert [p.suffix for p in entries.iterdir()] == [".jsonl"]


def test_the_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "annotator"
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "own"))
    assert cache_folder() == tmp_path / "own"


def test_parse_and_import_use_the_cache_unless_told_not_to(tmp_path: Path, entries: Path) -> None:
    sample = copy_sample(tmp_path)
    skipped = run_cli("parse", sample, "--no-cache", cwd=tmp_path)
    assert skipped.returncode == 0, skipped.stderr
    assert not entries.exists()
    first = run_cli("parse", sample, cwd=tmp_path)
    assert len(list(entries.glob("*.jsonl"))) == 1
    second = run_cli("parse", sample, cwd=tmp_path)
    assert first.stdout == second.stdout == skipped.stdout
    assert first.stderr == second.stderr == skipped.stderr
    for flags in ((), ("--no-cache",)):
        out = tmp_path / f"corpus{len(flags)}.jsonl"
        imported = run_cli("import", sample, "-o", out, *flags, cwd=tmp_path)
        assert imported.returncode == 0, imported.stderr
    assert (tmp_path / "corpus0.jsonl").read_text() == (tmp_path / "corpus1.jsonl").read_text()
    for command in ("annotate", "parse", "import", "adjudicate"):
        assert "--no-cache" in run_cli(command, "--help", cwd=tmp_path).stdout
