"""Label suggestions: a model trained on a small log suggests what the analyst would.

Logs are written with ``AnnotationLog.decide`` as the TUI writes them, from
sentences made with templates and labelled by the rule the template stands
for; training runs spaCy's real loop for a few steps.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from annotator.errors import AnnotatorError
from annotator.log import AnnotationLog
from annotator.model import Document, Label, LabelSet, Span, Turn
from annotator.resources import sample_transcript
from annotator.suggest import (
    MODEL_META,
    NotAModelError,
    Suggester,
    SuggestError,
    Suggestion,
    TooFewDecisionsError,
    TrainReport,
    order_by_uncertainty,
    score_labels,
    train_model,
)
from annotator.suggest.features import (
    OPENS,
    SAME_TURN,
    TURN_BEFORE,
    SentenceContext,
    contexts_in_turn,
    in_reading_order,
)
from annotator.suggest.network import (
    ModelSettings,
    TrainingExample,
    featurize,
    fit_weights,
    new_pipeline,
    predict_rows,
    truth_matrix,
)
from tests.command_line import run_cli

LABELS = LabelSet(
    (Label("commitment", "1"), Label("threat assessment", "2"), Label("procedural", "3"))
)
EXCLUSIVE = LabelSet(LABELS.labels, exclusive=True)
ACTORS = ["Japan", "our partners", "Ukraine", "the region", "our allies", "Korea"]
THINGS = ["aid", "ships", "funding", "troops", "training", "support"]
TEMPLATES = [
    ("We will send more {thing} to {actor}.", "commitment"),
    ("We will provide {thing} for {actor} next year.", "commitment"),
    ("The threat to {actor} is growing.", "threat assessment"),
    ("The danger of nuclear escalation near {actor} is real.", "threat assessment"),
    ("Thank you, next question.", "procedural"),
    ("Thank you all for coming today.", "procedural"),
    ("The meeting with {actor} was held on Tuesday.", None),
    ("The report on {thing} was published in March.", None),
]
STEPS = 120


def make_document(
    doc_id: str, rng: random.Random, n: int = 24
) -> tuple[Document, list[tuple[str, ...]]]:
    """A briefing of template sentences, and each sentence's labels."""
    sentences = []
    for _ in range(n):
        template, label = rng.choice(TEMPLATES)
        text = template.format(actor=rng.choice(ACTORS), thing=rng.choice(THINGS))
        sentences.append((text, (label,) if label else ()))
    return document_of(doc_id, sentences)


def document_of(
    doc_id: str, sentences: Sequence[tuple[str, tuple[str, ...]]]
) -> tuple[Document, list[tuple[str, ...]]]:
    """A briefing of these sentences, four to a speaker turn, and each sentence's labels."""
    text = ""
    turns: list[Turn] = []
    gold: list[tuple[str, ...]] = []
    for index in range(0, len(sentences), 4):
        if text:
            text += "\n\n"
        text += "MR MILLER: "
        start = len(text)
        spans = []
        for k, (sentence, labels) in enumerate(sentences[index : index + 4]):
            if k:
                text += " "
            spans.append(Span(len(text), len(text) + len(sentence), sentence))
            text += sentence
            gold.append(labels)
        turns.append(
            Turn(
                len(turns),
                "MR MILLER",
                "MR MILLER",
                start,
                len(text),
                text[start:],
                (),
                tuple(spans),
            )
        )
    return Document(doc_id, f"{doc_id}.txt", doc_id, text, "", tuple(turns)), gold


#: Keyword rules, as in benchmarks/bench_suggest.py: a sentence carries every label it matches.
RULES = {
    "commitment": re.compile(r"\b(will|shall|commit\w*|pledge\w*)\b", re.I),
    "threat assessment": re.compile(r"\b(threat\w*|danger\w*|nuclear|missiles?)\b", re.I),
    "procedural": re.compile(r"\b(thank\w*|questions?|next)\b", re.I),
}
KEYWORDS = {
    "commitment": ["will", "will", "will", "shall", "committed", "commitment", "pledge"],
    "threat assessment": ["threat", "threats", "nuclear", "danger", "dangerous", "missiles"],
    "procedural": ["thank", "thanks", "question", "questions", "next"],
}


def rule_made_sentences(rng: random.Random, n: int) -> list[tuple[str, tuple[str, ...]]]:
    """Sentences of real words in random order, a keyword in some, labelled by ``RULES``.

    Each filler word is rare (some 200 words of the bundled transcript), so a
    model that memorises the words of its training sentences, rather than the
    few that decide a label, fails on new ones.
    """
    words = sample_transcript().read_text(encoding="utf-8").lower().split()
    filler = sorted(
        {w.strip(".,:;()–’'\"") for w in words}
        - {""}
        - {w for w in words if any(rule.search(w) for rule in RULES.values())}
    )
    sentences = []
    for _ in range(n):
        chosen = rng.sample(filler, rng.randint(6, 16))
        for keywords in KEYWORDS.values():
            if rng.random() < 0.3:
                chosen.insert(rng.randrange(len(chosen) + 1), rng.choice(keywords))
        text = " ".join(chosen)
        text = text[0].upper() + text[1:] + "."
        labels = tuple(name for name, rule in RULES.items() if rule.search(text))
        sentences.append((text, labels))
    return sentences


def write_log(path: Path, labels: LabelSet, n_documents: int = 5, seed: int = 1) -> Path:
    rng = random.Random(seed)
    with AnnotationLog.open(path, "alice", labels=labels) as log:
        for d in range(n_documents):
            document, gold = make_document(f"brief-{d}", rng)
            units = [(t, s) for t in document.turns for s in t.sentences]
            for (turn, sentence), chosen in zip(units, gold, strict=True):
                log.decide(document, turn, sentence, chosen)
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[TrainReport, list[float]]:
    folder = tmp_path_factory.mktemp("suggest")
    log = write_log(folder / "alice.jsonl", LABELS)
    fractions: list[float] = []
    report = train_model(
        [log],
        folder / "model",
        labels=LABELS,
        max_steps=STEPS,
        progress=lambda fraction, message: fractions.append(fraction),
    )
    return report, fractions


@pytest.mark.slow
def test_trained_model_suggests_the_labels_an_analyst_would(
    trained: tuple[TrainReport, list[float]],
) -> None:
    report, _ = trained
    assert report.component == "textcat_multilabel"
    suggester = Suggester.load(report.model_dir)
    assert suggester.labels == LABELS.names
    assert suggester.model_id == report.model_id
    assert suggester.model_id.startswith("model-")
    assert suggester.threshold == 0.5
    commitment, threat, thanks = suggester.suggest(
        [
            "We will send more ships to our allies.",
            "The threat to Japan is growing.",
            "Thank you, next question.",
        ]
    )
    for suggestion in (commitment, threat, thanks):
        assert set(suggestion.scores) == set(LABELS.names)
        assert all(0.0 <= score <= 1.0 for score in suggestion.scores.values())
    assert commitment.labels == ("commitment",)
    assert threat.labels == ("threat assessment",)
    assert thanks.labels == ("procedural",)
    assert commitment.scores["commitment"] > commitment.scores["procedural"]


@pytest.mark.slow
def test_report_scores_every_label_on_held_out_documents(
    trained: tuple[TrainReport, list[float]],
) -> None:
    report, fractions = trained
    assert report.dev_documents == 1 and report.train_documents == 4
    assert [s.label for s in report.scores] == list(LABELS.names)
    assert all(s.support > 0 for s in report.scores)
    assert report.macro_f1 > 0.8
    meta = json.loads((report.model_dir / MODEL_META).read_text())
    assert meta["trained_on"]["sentences"] == report.train_sentences
    assert meta["exclusive"] is False
    # Progress is reported as training goes (each fold, each label), in order, ending at 1.0.
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert len(fractions) > len(LABELS.names) + 3


@pytest.mark.slow
def test_a_keyword_label_is_learned_from_a_few_hundred_decisions(tmp_path: Path) -> None:
    # Regression: a bag of case-sensitive words trained without regularisation
    # memorised each sentence's rare words and scored about 0.5 F1 on rules this plain.
    rng = random.Random(7)
    log = tmp_path / "rules.jsonl"
    with AnnotationLog.open(log, "rules", labels=LABELS) as writer:
        for d in range(5):
            document, gold = document_of(f"brief-{d}", rule_made_sentences(rng, 80))
            units = [(t, s) for t in document.turns for s in t.sentences]
            for (turn, sentence), chosen in zip(units, gold, strict=True):
                writer.decide(document, turn, sentence, chosen)
    report = train_model([log], tmp_path / "model", labels=LABELS, dev_share=0.2)
    assert report.train_sentences == 320 and report.dev_sentences == 80
    by_label = {score.label: score for score in report.scores}
    frequent = max(by_label.values(), key=lambda score: score.train_positives)
    assert frequent.support >= 15
    assert frequent.f1 >= 0.8, by_label
    assert report.macro_f1 >= 0.8, by_label


def test_refuses_to_train_with_too_few_decisions_for_a_label(tmp_path: Path) -> None:
    rng = random.Random(0)
    document, _ = make_document("brief", rng, n=8)
    log = tmp_path / "few.jsonl"
    with AnnotationLog.open(log, "alice", labels=LABELS) as writer:
        units = [(t, s) for t in document.turns for s in t.sentences]
        for n, (turn, sentence) in enumerate(units):
            writer.decide(document, turn, sentence, ["commitment"] if n < 6 else [])
    with pytest.raises(TooFewDecisionsError) as caught:
        train_model([log], tmp_path / "model", labels=LABELS, max_steps=5)
    message = str(caught.value)
    assert "'threat assessment' 0" in message and "'procedural' 0" in message
    assert "'commitment'" not in message
    assert "\n" not in message
    assert not (tmp_path / "model").exists()
    # Six in all, but the minimum holds for the training part once sentences are held out.
    with pytest.raises(TooFewDecisionsError, match="training sentences; 'commitment' 4"):
        train_model(
            [log], tmp_path / "model", labels=LABELS, only_labels=["commitment"], max_steps=5
        )
    # Training only the label that has enough examples, holding none out, works.
    report = train_model(
        [log],
        tmp_path / "model",
        labels=LABELS,
        only_labels=["commitment"],
        max_steps=5,
        dev_share=0,
    )
    assert report.labels == ("commitment",)
    assert report.summary == "no held-out documents were scored"


@pytest.mark.slow
def test_exclusive_label_set_trains_textcat(tmp_path: Path) -> None:
    log = write_log(tmp_path / "alice.jsonl", EXCLUSIVE, n_documents=4)
    report = train_model([log], tmp_path / "model", labels=EXCLUSIVE, max_steps=STEPS)
    assert report.component == "textcat"
    suggester = Suggester.load(tmp_path / "model")
    assert suggester.exclusive
    (suggestion,) = suggester.suggest(["The danger of nuclear escalation near Korea is real."])
    assert sum(suggestion.scores.values()) == pytest.approx(1.0, abs=1e-4)
    assert suggestion.labels == ("threat assessment",)


@pytest.mark.slow
def test_an_existing_model_is_replaced_only_with_force(
    tmp_path: Path, trained: tuple[TrainReport, list[float]]
) -> None:
    log = write_log(tmp_path / "alice.jsonl", LABELS, n_documents=3)
    train_model([log], tmp_path / "m", labels=LABELS, max_steps=5)
    with pytest.raises(SuggestError, match="already exists"):
        train_model([log], tmp_path / "m", labels=LABELS, max_steps=5)
    first = Suggester.load(tmp_path / "m").model_id
    report = train_model([log], tmp_path / "m", labels=LABELS, max_steps=5, seed=1, force=True)
    assert report.model_id != first
    assert Suggester.load(tmp_path / "m").model_id == report.model_id
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_model_of_an_older_version_is_refused_with_a_request_to_train_again(
    trained: tuple[TrainReport, list[float]], tmp_path: Path
) -> None:
    """Its cut-off was chosen on another confidence: loaded, it would show other
    suggestions than it promised."""
    import shutil

    from annotator.suggest import META_VERSION

    report, _ = trained
    old = tmp_path / "old"
    shutil.copytree(report.model_dir, old)
    meta = json.loads((old / MODEL_META).read_text())
    meta["version"] = META_VERSION - 1
    (old / MODEL_META).write_text(json.dumps(meta))
    with pytest.raises(NotAModelError, match="train it again with annotator train"):
        Suggester.load(old)


def test_loading_a_folder_that_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(NotAModelError) as caught:
        Suggester.load(tmp_path)
    assert str(tmp_path) in str(caught.value)
    assert isinstance(caught.value, AnnotatorError)
    with pytest.raises(NotAModelError, match="no such model folder"):
        Suggester.load(tmp_path / "missing")


def test_order_by_uncertainty_visits_the_closest_to_the_threshold_first() -> None:
    def at(*scores: float) -> Suggestion:
        named = dict(zip(("a", "b"), scores, strict=True))
        return Suggestion(named, tuple(k for k, v in named.items() if v >= 0.5))

    sure = at(0.99, 0.01)
    coin = at(0.52, 0.02)
    unsure = at(0.9, 0.35)
    also_sure = at(0.01, 0.99)
    assert coin.uncertainty == pytest.approx(0.02)
    assert order_by_uncertainty([sure, coin, unsure, also_sure]) == [1, 2, 0, 3]
    keyed = {("doc", 4): sure, ("doc", 9): unsure, ("other", 0): coin}
    assert order_by_uncertainty(keyed) == [("other", 0), ("doc", 9), ("doc", 4)]
    assert order_by_uncertainty([]) == []


def test_score_labels_counts_precision_and_recall() -> None:
    gold = [("a",), ("a", "b"), (), ("b",)]
    predicted = [("a",), ("a",), ("a",), ()]
    a, b = score_labels(gold, predicted, ["a", "b"])
    assert (a.precision, a.recall, a.support, a.predicted) == (2 / 3, 1.0, 2, 3)
    assert a.f1 == pytest.approx(0.8)
    assert (b.precision, b.recall, b.f1) == (0.0, 0.0, 0.0)


def test_train_command_reports_a_missing_log_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    result = run_cli("train", missing, "-o", tmp_path / "m", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"annotator: error: {missing}: no such annotation log"
    ]


@pytest.mark.slow
def test_train_command_prints_scores_per_label(tmp_path: Path) -> None:
    log = write_log(tmp_path / "alice.jsonl", LABELS, n_documents=4)
    result = run_cli("train", log, "-o", tmp_path / "m", "--steps", "40", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("commitment", "procedural", "macro F1", "precision"):
        assert name in result.stdout
    assert "trained textcat_multilabel on" in result.stderr
    # What the screen will show, as the cross-validation measured it.
    assert re.search(r"suggestions: shown where out of fold .* \d+% of sentences", result.stderr)
    assert "where the sentence before is undecided" in result.stderr
    assert Suggester.load(tmp_path / "m").labels == LABELS.names


def test_the_cut_off_shows_only_suggestions_right_often_enough() -> None:
    from annotator.suggest.calibrate import NEVER, choose_cutoff

    confidences = [0.9] * 10 + [0.6] * 10 + [0.3] * 10
    right = [True] * 9 + [False] + [True] * 5 + [False] * 5 + [False] * 10
    # The top ten are 90% right, the top twenty 70%: 75% is met only by the top ten.
    assert choose_cutoff(confidences, right, 0.75) == 0.9
    assert choose_cutoff(confidences, right, 0.7) == 0.6
    assert choose_cutoff(confidences, right, 0.95) == NEVER


def test_right_at_coverage_is_the_best_any_cut_off_could_do() -> None:
    """The figure behind "no cut-off shows 40% at 70% right": the most confident share
    of suggestions, however the cut-off is chosen, is right no more often than this."""
    from annotator.suggest.calibrate import choose_cutoff
    from annotator.suggest.scoring import right_at_coverage

    confidences = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
    right = [True, True, False, True, False, True, False, False, True, False]
    assert right_at_coverage(confidences, right, 0.2) == 1.0
    assert right_at_coverage(confidences, right, 0.4) == 0.75
    assert right_at_coverage(confidences, right, 1.0) == 0.5
    assert right_at_coverage(confidences, right, 0.0) == 0.0
    # Order of the input does not matter, only the ranking by confidence.
    order = [3, 9, 0, 7, 1, 8, 2, 6, 4, 5]
    shuffled = right_at_coverage([confidences[n] for n in order], [right[n] for n in order], 0.4)
    assert shuffled == 0.75
    # A cut-off asked for 80% cannot show 40% of these: it stops at the top two.
    cutoff = choose_cutoff(confidences * 4, right * 4, 0.8)
    shown = sum(1 for c in confidences * 4 if c >= cutoff)
    assert shown / 40 < 0.4
    with pytest.raises(ValueError):
        right_at_coverage([0.5], [], 0.4)


def test_a_suggestion_below_the_cut_off_is_not_confident() -> None:
    from annotator.suggest.suggester import make_suggestion

    scores = {"a": 0.9, "b": 0.2}
    sure = make_suggestion(scores, ["a", "b"], {"a": 0.5, "b": 0.3}, 0.5, cutoff=0.5)
    assert sure.labels == ("a",) and sure.confidence == pytest.approx(0.9 * 0.8)
    assert sure.confident
    unsure = make_suggestion(scores, ["a", "b"], {"a": 0.5, "b": 0.1}, 0.5, cutoff=0.5)
    assert unsure.labels == ("a", "b") and not unsure.confident


def test_suggestions_read_a_document_in_context(
    trained: tuple[TrainReport, list[float]],
) -> None:
    report, _ = trained
    suggester = Suggester.load(report.model_dir)
    document, _ = make_document("brief-x", random.Random(3), n=6)
    found = suggester.suggest_document(document)
    spans = [s for t in document.turns for s in t.sentences]
    assert sorted(found) == sorted((s.start, s.end) for s in spans)
    assert "calibration" in json.loads((report.model_dir / MODEL_META).read_text())


@pytest.mark.slow
def test_the_model_records_its_options_and_retraining_repeats_them(tmp_path: Path) -> None:
    """Ctrl+T retrains with the options the model was trained with (issue 11, 9)."""
    from annotator.suggest.suggester import read_model_meta

    log = write_log(tmp_path / "alice.jsonl", LABELS, n_documents=4)
    model = tmp_path / "model"
    first = train_model(
        [log], model, labels=LABELS, only_labels=["commitment"], max_steps=STEPS, dev_share=0
    )
    options = read_model_meta(model)["options"]
    assert options["only_labels"] == ["commitment"] and options["dev_share"] == 0
    again = train_model([log], model, labels=LABELS, force=True, **options)
    assert again.labels == first.labels == ("commitment",)


@pytest.mark.slow
def test_the_precision_asked_for_sets_the_cut_off(tmp_path: Path) -> None:
    """``min_precision`` reaches the calibration: a precision no suggestion can reach
    shows none, where the default shows the (easy) template sentences' suggestions."""
    from annotator.suggest.suggester import read_model_meta

    log = write_log(tmp_path / "alice.jsonl", LABELS, n_documents=4)
    coverage = {}
    for wanted in (0.75, 1.01):
        model = tmp_path / f"model-{wanted}"
        train_model([log], model, labels=LABELS, max_steps=STEPS, min_precision=wanted)
        calibration = read_model_meta(model)["calibration"]
        assert calibration["min_precision"] == wanted
        coverage[wanted] = calibration["coverage"]
    assert coverage[1.01] == 0.0 < coverage[0.75]


def test_word_pieces_carry_a_label_to_another_form_of_its_word() -> None:
    """A word family learned in one form is found in another ("committed" from
    "commitment"), which words alone cannot do; and fitting is exact: the same
    sentences give the same weights every time."""
    names = ["commitment", "procedural"]
    examples = [
        TrainingExample(f"Our commitment to partner {n} is firm.", ("commitment",))
        for n in range(8)
    ] + [TrainingExample(f"Thank you, question {n} please.", ("procedural",)) for n in range(8)]
    test = [TrainingExample("They remain committed.", ())]
    scores = {}
    for pieces in (True, False):
        settings = ModelSettings(pieces=pieces, cues=False, context=False)
        nlp = new_pipeline(names, exclusive=False, settings=settings)
        rows = featurize(nlp, examples)
        truth, weight = truth_matrix(examples, names), [1.0] * len(examples)
        import numpy

        fitted = fit_weights(rows, truth, numpy.asarray(weight), exclusive=False, settings=settings)
        again = fit_weights(rows, truth, numpy.asarray(weight), exclusive=False, settings=settings)
        assert (fitted.weights == again.weights).all() and (fitted.bias == again.bias).all()
        scores[pieces] = predict_rows(fitted, featurize(nlp, test), exclusive=False)[0]
    assert scores[True][0] > 0.5 > scores[True][1]
    # Without pieces "committed" is a word the model never saw: nothing to go on.
    assert scores[False][0] < 0.5


def test_one_threshold_is_chosen_for_every_label() -> None:
    """The threshold maximises out-of-fold micro F1 over all labels at once: a label's
    own threshold, chosen on its few positives, does not carry to a new transcript."""
    from annotator.suggest.calibrate import choose_threshold

    names = ["a", "b"]
    gold = [("a",), ("a",), ("b",), ("b",), (), ()]
    scores = [
        {"a": 0.45, "b": 0.1},
        {"a": 0.35, "b": 0.1},
        {"a": 0.1, "b": 0.32},
        {"a": 0.1, "b": 0.6},
        {"a": 0.2, "b": 0.2},
        {"a": 0.25, "b": 0.1},
    ]
    assert choose_threshold(gold, scores, names) == 0.3
    # Too few positives to judge: the default.
    assert choose_threshold([("a",), ()], scores[:2], names) == 0.5


def test_the_decision_on_the_sentence_before_is_read() -> None:
    """ "That is right." takes the label of the sentence it agrees with: only the
    decision on the sentence before tells the two apart, and the model reads it
    when asked (``previous``) and only then."""
    import numpy

    names = ["commitment", "procedural"]

    def after(labels: tuple[str, ...]) -> SentenceContext:
        return SentenceContext("principal", "last", SAME_TURN, labels)

    examples = [
        TrainingExample(f"That is right, {n}.", (name,), after((name,)))
        for n in range(6)
        for name in names
    ] + [
        TrainingExample(f"We will defend partner {n}.", ("commitment",), after(()))
        for n in range(6)
    ]
    test = [TrainingExample("That is right.", (), after((name,))) for name in names]
    for previous in (True, False):
        settings = ModelSettings(previous=previous, cues=False)
        nlp = new_pipeline(names, exclusive=False, settings=settings)
        truth = truth_matrix(examples, names)
        weight = numpy.ones(len(examples))
        fitted = fit_weights(
            featurize(nlp, examples), truth, weight, exclusive=False, settings=settings
        )
        scores = predict_rows(fitted, featurize(nlp, test), exclusive=False)
        if previous:
            assert scores[0][0] > 0.5 > scores[0][1]  # after a commitment
            assert scores[1][1] > 0.5 > scores[1][0]  # after a hand-over
        else:
            assert (scores[0] == scores[1]).all()


def test_contexts_carry_the_decision_before_in_reading_order() -> None:
    """The first sentence opens the document; a sentence after an undecided one does
    not know what came before (the screen then asks more of its suggestion); a
    sentence after the turn's end knows it follows another speaker."""
    contexts = [*contexts_in_turn("MR MILLER", 2), *contexts_in_turn("QUESTION", 2)]
    found = in_reading_order(contexts, [0, 0, 1, 1], [("procedural",), None, (), None])
    assert [c.follows for c in found] == [OPENS, SAME_TURN, TURN_BEFORE, SAME_TURN]
    assert [c.knows_previous for c in found] == [True, True, False, True]
    assert "@prev.turn=procedural" in found[1].features()
    assert "@prev.turn.nothing" in found[3].features()  # "no label" is a decision too
    assert not any(f.startswith("@prev") for f in found[2].features())
    hidden = found[1].without_previous()
    assert not hidden.knows_previous
    assert not any(f.startswith("@prev") for f in hidden.features())
    assert found[0].without_previous() == found[0]  # nothing before the first


def test_a_suggestion_made_without_the_decision_before_has_its_own_cut_off(
    trained: tuple[TrainReport, list[float]],
) -> None:
    """Where the sentence before is undecided (the analyst jumped ahead), the model
    knows less, so its suggestion is shown only past the cut-off chosen for that
    case; knowing it, past the usual one."""
    report, _ = trained
    suggester = Suggester.load(report.model_dir)
    calibration = json.loads((report.model_dir / MODEL_META).read_text())["calibration"]
    assert {"blind_cutoff", "blind_right_when_shown", "blind_coverage"} <= calibration.keys()
    known = SentenceContext("principal", "middle", SAME_TURN, ("commitment",))
    text = "We will defend our allies."
    suggester.cutoff, suggester.blind_cutoff = 0.0, 1.01
    shown, hidden = suggester.suggest([text, text], [known, replace(known, previous=None)])
    assert shown.confident and not hidden.confident
    suggester.cutoff, suggester.blind_cutoff = 1.01, 0.0
    shown, hidden = suggester.suggest([text, text], [known, replace(known, previous=None)])
    assert not shown.confident and hidden.confident


def test_a_decision_on_labels_the_model_does_not_know_reads_as_no_label(
    trained: tuple[TrainReport, list[float]],
) -> None:
    """A model trained on some labels (``--label``) learned the sentence before with
    those labels only: the screen reads a decision the same way."""
    report, _ = trained
    suggester = Suggester.load(report.model_dir)
    document, _ = make_document("brief-y", random.Random(5), n=4)
    spans = [s for t in document.turns for s in t.sentences]
    unknown = suggester.suggest_document(document, lambda start, end: ("position",))
    nothing = suggester.suggest_document(document, lambda start, end: ())
    assert {k: v.scores for k, v in unknown.items()} == {k: v.scores for k, v in nothing.items()}
    assert len(unknown) == len(spans)


def test_a_model_trained_on_other_labels_is_refused_when_annotating(
    trained: tuple[TrainReport, list[float]], tmp_path: Path
) -> None:
    """Its suggestions could not be recorded (the log takes the label set's labels
    only): annotate says so in one line, naming the labels, before opening anything.
    A model of some of the labels (``--label``) is fine."""
    from annotator.config import Config
    from annotator.opening import plan_annotation
    from annotator.sources import Reading

    report, _ = trained
    transcript = tmp_path / "briefing.txt"
    transcript.write_text("MR A: We will defend our allies.\n", encoding="utf-8")
    topics = LabelSet((Label("economy", "1"), Label("procedural", "2")), source="topics.yaml")
    with pytest.raises(NotAModelError, match=r"topics.yaml does not have \('commitment'"):
        plan_annotation(
            [transcript], topics, Reading(), Config(), suggest=report.model_dir, out=tmp_path / "l"
        )
    wider = LabelSet((*LABELS.labels, Label("economy", "4")))
    plan = plan_annotation(
        [transcript], wider, Reading(), Config(), suggest=report.model_dir, out=tmp_path / "l"
    )
    assert plan.suggester is not None
