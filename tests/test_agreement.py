"""Agreement metrics against independent implementations and published worked examples.

References (dev dependencies only): scikit-learn's ``cohen_kappa_score``,
statsmodels' ``fleiss_kappa``, the ``krippendorff`` package, and NLTK's
``AnnotationTask`` (alpha with a MASI distance). Gwet's AC1 has no maintained
reference package that installs beside current numpy, so it is checked against
a plain-Python transcription of Gwet's formulas and a hand-worked example.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from annotator.agreement import (
    AgreementError,
    Coding,
    Codings,
    Unit,
    agreement_report,
    cohen_kappa,
    disagreements,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    masi_distance,
    percent_agreement,
    read_codings,
)
from annotator.cli import app
from annotator.log import AnnotationLog
from annotator.model import Document, Span, Turn
from tests.builders import numbered_document, units

krippendorff = pytest.importorskip("krippendorff")
sklearn_metrics = pytest.importorskip("sklearn.metrics")
inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
nltk_agreement = pytest.importorskip("nltk.metrics.agreement")
nltk_distance = pytest.importorskip("nltk.metrics.distance")


def random_ratings(
    seed: int, units: int = 150, raters: int = 3, missing: float = 0.0, categories: str = "abcd"
) -> list[list[str | None]]:
    """Ratings with some real agreement (a shared 'true' value copied with probability 0.6)."""
    rng = random.Random(seed)
    rows: list[list[str | None]] = []
    for _ in range(units):
        truth = rng.choice(categories)
        row: list[str | None] = [
            truth if rng.random() < 0.6 else rng.choice(categories) for _ in range(raters)
        ]
        for r in range(raters):
            if rng.random() < missing:
                row[r] = None
        if sum(v is not None for v in row) >= 2:
            rows.append(row)
    return rows


# -- published worked examples --------------------------------------------------------


def test_cohen_kappa_worked_example() -> None:
    # Wikipedia "Cohen's kappa": 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> 0.4.
    first = ["y"] * 25 + ["n"] * 25
    second = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert cohen_kappa(first, second) == pytest.approx(0.4)
    assert percent_agreement(list(zip(first, second, strict=True))) == pytest.approx(0.7)


# Fleiss (1971) as reproduced on Wikipedia: 10 subjects, 14 raters, 5 categories.
FLEISS_TABLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_fleiss_kappa_worked_example() -> None:
    ratings = [[c for c, n in enumerate(row) for _ in range(n)] for row in FLEISS_TABLE]
    assert fleiss_kappa(ratings) == pytest.approx(0.210, abs=5e-4)
    assert fleiss_kappa(ratings) == pytest.approx(
        inter_rater.fleiss_kappa(np.array(FLEISS_TABLE)), abs=1e-12
    )


def test_krippendorff_alpha_worked_examples() -> None:
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", example C:
    # 4 observers, 12 units, missing values; nominal alpha = 0.743.
    o = None
    observers = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, o, o, o],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, o, 3],
        [o, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, o],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, o],
    ]
    units = [list(column) for column in zip(*observers, strict=True)]
    assert krippendorff_alpha(units) == pytest.approx(0.743, abs=5e-4)
    # The reliability data of Krippendorff's book (and the krippendorff package's
    # README): 3 coders, 15 units, nominal alpha = 0.691.
    coders = [
        [o, o, o, o, o, 3, 4, 1, 2, 1, 1, 3, 3, o, 3],
        [1, o, 2, 1, 3, 3, 4, 3, o, o, o, o, o, o, o],
        [o, o, 2, 1, 3, 4, 4, o, 2, 1, 1, 3, 3, o, 4],
    ]
    units = [list(column) for column in zip(*coders, strict=True)]
    assert krippendorff_alpha(units) == pytest.approx(0.691, abs=5e-4)


def test_gwet_ac1_worked_example_and_rare_label() -> None:
    # The Cohen 2x2 table above: Pa = 0.7; pi(yes) = (25 + 30) / 100 = 0.55;
    # Pe = 2 * 0.55 * 0.45 / (2 - 1) = 0.495; AC1 = 0.205 / 0.505.
    first = ["y"] * 25 + ["n"] * 25
    second = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    pairs = list(zip(first, second, strict=True))
    assert gwet_ac1(pairs) == pytest.approx(0.205 / 0.505)
    # A rare label: 98 of 100 sentences agreed "no", 2 split. Kappa collapses (the
    # kappa paradox); AC1 stays near the 98% raw agreement.
    rare = [(False, False)] * 98 + [(True, False), (False, True)]
    assert cohen_kappa(*zip(*rare, strict=True)) == pytest.approx(-0.0101, abs=1e-4)
    ac1 = gwet_ac1(rare, categories=[True, False])
    assert ac1 is not None and ac1 > 0.97


def test_masi_distance_passonneau_values() -> None:
    assert masi_distance({"a"}, {"a"}) == 0.0
    assert masi_distance(set(), set()) == 0.0  # "no label applies" twice
    assert masi_distance({"a"}, {"a", "b"}) == pytest.approx(1 - 1 / 2 * 2 / 3)
    assert masi_distance({"a", "b"}, {"b", "c"}) == pytest.approx(1 - 1 / 3 * 1 / 3)
    assert masi_distance({"a"}, {"b"}) == 1.0
    assert masi_distance(set(), {"a"}) == 1.0
    # NLTK rounds 2/3 and 1/3 to 0.67 and 0.33.
    for a, b in [({"a"}, {"a", "b"}), ({"a", "b"}, {"b", "c"}), ({"x"}, {"y"})]:
        ours = masi_distance(a, b)
        assert ours == pytest.approx(nltk_distance.masi_distance(set(a), set(b)), abs=0.01)


# -- against independent implementations ---------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_cohen_matches_scikit_learn(seed: int) -> None:
    rows = random_ratings(seed, raters=2)
    first, second = [r[0] for r in rows], [r[1] for r in rows]
    expected = sklearn_metrics.cohen_kappa_score(first, second)
    assert cohen_kappa(first, second) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_fleiss_matches_statsmodels(seed: int) -> None:
    rows = random_ratings(seed, raters=4)
    table, _ = inter_rater.aggregate_raters(np.array(rows))
    assert fleiss_kappa(rows) == pytest.approx(inter_rater.fleiss_kappa(table), abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_alpha_matches_krippendorff_with_missing_values(seed: int) -> None:
    rows = random_ratings(seed, raters=4, missing=0.3)
    codes = {c: float(i) for i, c in enumerate("abcd")}
    data = np.array([[codes[v] if v else np.nan for v in row] for row in rows]).T
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert krippendorff_alpha(rows) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_alpha_with_masi_matches_nltk(seed: int) -> None:
    rng = random.Random(seed)
    rows = []
    for _ in range(120):
        truth = frozenset(rng.sample("xyz", rng.randint(1, 2)))
        rows.append(
            [
                truth if rng.random() < 0.6 else frozenset(rng.sample("xyz", rng.randint(1, 3)))
                for _ in range(3)
            ]
        )
    task = nltk_agreement.AnnotationTask(
        data=[(str(r), str(u), v) for u, row in enumerate(rows) for r, v in enumerate(row)],
        distance=nltk_distance.masi_distance,
    )
    assert krippendorff_alpha(rows, nltk_distance.masi_distance) == pytest.approx(
        task.alpha(), abs=1e-9
    )


def ac1_by_the_book(rows: list[list[str | None]], q: int) -> float:
    """Gwet (2014), eq. 2.x, written out with loops: an independent transcription."""
    rated = [[v for v in row if v is not None] for row in rows]
    rated = [r for r in rated if len(r) >= 2]
    categories = sorted({v for r in rated for v in r})
    pa = 0.0
    pi = dict.fromkeys(categories, 0.0)
    for r in rated:
        m = len(r)
        pa += sum(r.count(k) * (r.count(k) - 1) for k in categories) / (m * (m - 1))
        for k in categories:
            pi[k] += r.count(k) / m
    pa /= len(rated)
    pe = sum((pi[k] / len(rated)) * (1 - pi[k] / len(rated)) for k in categories) / (q - 1)
    return (pa - pe) / (1 - pe)


@pytest.mark.parametrize("seed", range(5))
def test_ac1_matches_formula_with_missing_values(seed: int) -> None:
    rows = random_ratings(seed, raters=3, missing=0.2)
    assert gwet_ac1(rows) == pytest.approx(ac1_by_the_book(rows, 4), abs=1e-12)
    assert gwet_ac1(rows, categories="abcde") == pytest.approx(ac1_by_the_book(rows, 5), abs=1e-12)


def test_undefined_metrics_are_none_not_nan() -> None:
    same = [["a", "a"], ["a", "a"]]
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None
    assert fleiss_kappa(same) is None
    assert krippendorff_alpha(same) is None
    assert percent_agreement(same) == 1.0


# -- the report over logs -------------------------------------------------------------

LABELS = ("commitment", "threat", "procedural")


def make_document(doc_id: str, sentences: int) -> Document:
    return numbered_document(doc_id, sentences)


def sentences_of(document: Document) -> list[tuple[Turn, Span]]:
    return units(document)


@pytest.fixture
def three_logs(
    tmp_path: Path,
) -> tuple[list[Path], list[Document], dict[str, list[tuple[str, ...]]]]:
    """Three analysts coding two documents; 'cy' skips the second one."""
    rng = random.Random(7)
    documents = [make_document("brief-1", 40), make_document("brief-2", 20)]
    coded: dict[str, list[tuple[str, ...]]] = {}
    paths = []
    truth = [
        tuple(sorted(rng.sample(LABELS, rng.randint(0, 2))))
        for d in documents
        for _ in sentences_of(d)
    ]
    for name in ("ana", "ben", "cy"):
        path = tmp_path / f"{name}.jsonl"
        paths.append(path)
        coded[name] = []
        with AnnotationLog.open(path, name) as log:
            n = 0
            for document in documents:
                for turn, sentence in sentences_of(document):
                    labels = truth[n] if rng.random() < 0.7 else (rng.choice(LABELS),)
                    n += 1
                    if name == "cy" and document.id == "brief-2":
                        continue
                    log.decide(document, turn, sentence, labels, note=f"{name} note")
                    coded[name].append(labels)
    return paths, documents, coded


def test_report_metrics_equal_the_reference_metrics_on_the_same_data(
    three_logs: tuple[list[Path], list[Document], dict[str, list[tuple[str, ...]]]],
) -> None:
    paths, _, coded = three_logs
    report = agreement_report(read_codings(paths))
    assert report.annotators == ("ana", "ben", "cy")
    assert report.units == 60
    # Units are in document then offset order; cy coded only brief-1 (40 sentences).
    rows: list[list[frozenset[str] | None]] = [
        [
            frozenset(coded["ana"][i]),
            frozenset(coded["ben"][i]),
            frozenset(coded["cy"][i]) if i < 40 else None,
        ]
        for i in range(60)
    ]
    overall = report.overall
    assert overall.krippendorff_alpha == pytest.approx(krippendorff_alpha(rows))
    assert overall.alpha_masi == pytest.approx(krippendorff_alpha(rows, masi_distance))
    assert overall.fleiss_kappa == pytest.approx(fleiss_kappa(rows))
    assert overall.gwet_ac1 == pytest.approx(gwet_ac1(rows))
    pair = next(p for p in overall.pairs if (p.first, p.second) == ("ana", "ben"))
    expected = sklearn_metrics.cohen_kappa_score(
        [" ".join(x) for x in coded["ana"]], [" ".join(x) for x in coded["ben"]]
    )
    assert pair.units == 60 and pair.kappa == pytest.approx(expected)
    assert {(p.first, p.second): p.units for p in overall.pairs}[("ben", "cy")] == 40

    # Per label: "threat" as a yes/no decision; cy is missing on brief-2.
    threat = next(s for s in report.per_label if s.name == "threat")

    def said_threat(annotator: str, i: int) -> str | None:
        if annotator == "cy" and i >= 40:
            return None
        return "yes" if "threat" in coded[annotator][i] else "no"

    yes_no = [[said_threat(a, i) for a in ("ana", "ben", "cy")] for i in range(60)]
    data = np.array([[{"yes": 1.0, "no": 0.0, None: np.nan}[v] for v in row] for row in yes_no]).T
    assert threat.krippendorff_alpha == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    )
    assert threat.gwet_ac1 == pytest.approx(ac1_by_the_book(yes_no, 2))
    assert threat.used == sum(any(v == "yes" for v in row) for row in yes_no)
    # Where all three coded (brief-1), Fleiss' kappa is statsmodels' exactly.
    table, _ = inter_rater.aggregate_raters(np.array(yes_no[:40]))
    complete = agreement_report(
        Codings.from_rows(
            (Unit("d", i, i + 1, str(i)), [Coding(a, coded[a][i]) for a in ("ana", "ben", "cy")])
            for i in range(40)
        )
    )
    threat_complete = next(s for s in complete.per_label if s.name == "threat")
    assert threat_complete.fleiss_kappa == pytest.approx(inter_rater.fleiss_kappa(table))


def test_report_confusion_groups_and_disputed(
    three_logs: tuple[list[Path], list[Document], dict[str, list[tuple[str, ...]]]],
) -> None:
    paths, _, coded = three_logs
    report = agreement_report(read_codings(paths), top=5)
    confusion = next(c for c in report.confusion if (c.first, c.second) == ("ana", "ben"))
    assert sum(map(sum, confusion.matrix)) == 60
    same = sum(set(coded["ana"][i]) == set(coded["ben"][i]) for i in range(60))
    assert sum(confusion.matrix[k][k] for k in range(len(confusion.categories))) == same
    assert {g.name: g.units for g in report.by_document} == {"brief-1": 40, "brief-2": 20}
    assert {g.name for g in report.by_speaker} == {"MR MILLER", "QUESTION"}
    # Group alpha equals the alpha of that group's sentences on their own.
    brief2 = next(g for g in report.by_document if g.name == "brief-2")
    rows = [[frozenset(coded["ana"][i]), frozenset(coded["ben"][i])] for i in range(40, 60)]
    assert brief2.krippendorff_alpha == pytest.approx(krippendorff_alpha(rows))
    assert brief2.percent == pytest.approx(percent_agreement(rows))
    assert len(report.disputed) == 5
    scores = [d.disagreement for d in report.disputed]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


def test_clear_withdraws_and_other_text_is_another_unit(tmp_path: Path) -> None:
    document = make_document("d", 5)
    (turn, first), (_, second) = sentences_of(document)[:2]
    with AnnotationLog.open(tmp_path / "a.jsonl", "a") as log:
        log.decide(document, turn, first, ["threat"])
        log.decide(document, turn, second, ["threat"])
        log.clear(document, turn, second)
    with AnnotationLog.open(tmp_path / "b.jsonl", "b") as log:
        log.decide(document, turn, first, ["commitment"])
        log.decide(document, turn, second, ["threat"])
    # A third analyst coded an edited transcript: same offsets, other text.
    edited = Document(
        "d",
        "d.txt",
        "d",
        document.text.replace("Sentence 0", "Sentenze 0"),
        "",
        (
            Turn(
                0,
                turn.speaker,
                turn.speaker,
                turn.start,
                turn.end,
                "",
                (),
                (Span(first.start, first.end, first.text.replace("Sentence", "Sentenze")),),
            ),
        ),
    )
    with AnnotationLog.open(tmp_path / "c.jsonl", "c") as log:
        log.decide(edited, 0, edited.turns[0].sentences[0], ["commitment"])
    codings = read_codings([tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"])
    by_text = {
        u.text: {c.annotator for c in row}
        for u, row in zip(codings.units, codings.codings, strict=True)
    }
    assert by_text[first.text] == {"a", "b"}
    assert by_text[second.text] == {"b"}  # a cleared it
    assert by_text["Sentenze 0 of d."] == {"c"}
    assert agreement_report(codings).units == 1


def test_logs_read_in_a_pool_of_processes_give_the_same_codings(
    three_logs: tuple[list[Path], list[Document], dict[str, list[tuple[str, ...]]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Big logs are read by worker processes; the result is the same, in the same order."""
    paths, documents, _ = three_logs
    # One more log for "ana": a later clear and a re-decision, which must win in order.
    with AnnotationLog.open(tmp_path / "ana-2.jsonl", "ana") as log:
        (turn, first), (_, second) = sentences_of(documents[0])[:2]
        log.decide(documents[0], turn, first, ["commitment"], note="changed my mind")
        log.clear(documents[0], turn, second)
    paths = [*paths, tmp_path / "ana-2.jsonl", paths[0]]
    in_process = read_codings(paths)
    monkeypatch.setattr("annotator.agreement.columns.PARALLEL_BYTES", 0)
    pooled = read_codings(paths)
    assert pooled == in_process
    assert [c.annotator for c in pooled.codings[1]] == ["ben", "cy"]
    assert any("also wrote" in w for w in pooled.warnings)
    assert any("given twice" in w for w in pooled.warnings)


def test_disagreements_for_adjudication(tmp_path: Path) -> None:
    document = make_document("d", 10)
    units = sentences_of(document)
    choices = {
        "a": [["threat"], ["commitment"], [], ["threat"]],
        "b": [["threat"], ["threat"], ["procedural"], ["threat"]],
    }
    for name, picks in choices.items():
        with AnnotationLog.open(tmp_path / f"{name}.jsonl", name) as log:
            for (turn, sentence), labels in zip(units, picks, strict=False):
                log.decide(document, turn, sentence, labels, note=f"why {name}", flag=name == "a")
    found = disagreements([tmp_path / "a.jsonl", tmp_path / "b.jsonl"])
    assert [d.text for d in found] == [units[1][1].text, units[2][1].text]
    first = found[0]
    assert (first.document, first.start, first.end) == ("d", units[1][1].start, units[1][1].end)
    assert first.annotators == ("a", "b")
    coding = first.coding_of("a")
    assert coding is not None and coding.labels == ("commitment",) and coding.note == "why a"
    assert coding.flag is True
    assert first.coding_of("zed") is None
    flagged = disagreements([tmp_path / "a.jsonl", tmp_path / "b.jsonl"], include_flagged=True)
    assert len(flagged) == 4


def test_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(AgreementError, match=r"missing\.jsonl"):
        read_codings([tmp_path / "missing.jsonl"])
    document = make_document("d", 5)
    turn, sentence = sentences_of(document)[0]
    with AnnotationLog.open(tmp_path / "a.jsonl", "a") as log:
        log.decide(document, turn, sentence, ["threat"])
    with pytest.raises(AgreementError, match="two or more analysts"):
        agreement_report(read_codings([tmp_path / "a.jsonl"]))


def test_agree_command_json_and_table(
    three_logs: tuple[list[Path], list[Document], dict[str, list[tuple[str, ...]]]],
) -> None:
    paths, _, _ = three_logs
    runner = CliRunner()
    result = runner.invoke(app, ["agree", *map(str, paths), "--json", "--top", "3"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["units"] == 60 and len(data["disputed"]) == 3
    assert {s["name"] for s in data["per_label"]} == set(LABELS)
    assert data["overall"]["krippendorff_alpha"] == pytest.approx(
        agreement_report(read_codings(paths)).overall.krippendorff_alpha
    )
    table = runner.invoke(app, ["agree", *map(str, paths)])
    assert table.exit_code == 0
    assert "Fleiss" in table.stdout and "brief-2" in table.stdout
