"""Every key of the annotation screen, as the session does it: no Textual, no spaCy.

Each test drives ``AnnotationSession`` the way a binding in
``annotator/tui/screens/annotate.py`` does (``KEY_ACTIONS`` in ``annotator/keys.py``
names the keys), then checks what the analyst would notice: where the cursor is,
what the session now says of the sentence, and the line the log wrote, read back
from the file with the log's own decoder (``decode_line``) or replay (``read_log``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from annotator.log import (
    CLEAR,
    EXCLUDE,
    LABEL,
    MARK,
    MERGE,
    REVERT,
    SPLIT,
    AnnotationLog,
    Decision,
    decode_line,
    read_log,
)
from annotator.model import Document, Label, LabelSet
from annotator.session import AnnotationSession, Filter, Position
from annotator.suggest import Suggestion
from annotator.suggest.features import SentenceContext
from tests.builders import make_document, numbered_document, units
from tests.stand_ins import ContextModel

LABELS = (Label("commitment", "1"), Label("threat", "2"), Label("position", "3"))
MULTI = LabelSet(LABELS, source="test labels")
EXCLUSIVE = LabelSet(LABELS, exclusive=True, source="test labels")

#: Sentence positions of ``briefing()`` in reading order (turn 1 has no sentences).
S = [Position(0, 0, 0), Position(0, 0, 1), Position(0, 0, 2)]
QUESTION = Position(0, 2, 0)
LAST_TURN = [Position(0, 3, 0), Position(0, 3, 1)]
READING_ORDER = [*S, QUESTION, *LAST_TURN]


def briefing(doc_id: str = "briefing") -> Document:
    return make_document(
        [
            (
                "MR MILLER",
                ["We will defend our allies.", "Deterrence holds.", "Next question, please."],
            ),
            ("OPERATOR", []),
            ("QUESTION", ["What about the nuclear talks?"]),
            ("MR MILLER", ["We do not comment on talks.", "Thank you."]),
        ],
        doc_id,
    )


OpenSession = Callable[..., AnnotationSession]


@pytest.fixture
def open_session(tmp_path: Path) -> Iterator[OpenSession]:
    """Open a session on its own log (``log.jsonl`` unless named), closed at the end."""
    logs: list[AnnotationLog] = []

    def opener(
        documents: list[Document] | None = None,
        labels: LabelSet = MULTI,
        name: str = "log.jsonl",
    ) -> AnnotationSession:
        log = AnnotationLog.open(tmp_path / name, "tester", labels=labels)
        logs.append(log)
        return AnnotationSession(documents or [briefing()], labels, log)

    yield opener
    for log in logs:
        if not log.closed:
            log.close()


@pytest.fixture
def session(open_session: OpenSession) -> AnnotationSession:
    return open_session()


def written(session: AnnotationSession) -> list[Decision]:
    """Every line of the session's log, decoded and validated as a reader would."""
    path = session.log.path
    if not path.exists():
        return []
    return [decode_line(line) for line in path.read_bytes().splitlines() if line.strip()]


def last_line(session: AnnotationSession) -> Decision:
    lines = written(session)
    assert lines, "nothing was written"
    return lines[-1]


# --- label keys ------------------------------------------------------------------


def test_a_label_key_toggles_its_label_and_keeps_the_label_set_order(
    session: AnnotationSession,
) -> None:
    session.toggle_label("threat")
    line = last_line(session)
    assert (line.action, line.labels, line.text) == (
        LABEL,
        ("threat",),
        "We will defend our allies.",
    )
    assert session.position == S[0]  # several labels may apply: the cursor stays

    session.toggle_label("commitment")
    assert last_line(session).labels == ("commitment", "threat")  # label-set order
    assert session.current_labels() == ("commitment", "threat")

    session.toggle_label("threat")
    assert last_line(session).labels == ("commitment",)
    assert session.current_labels() == ("commitment",)
    assert len(written(session)) == 3  # one line per key, saved at once


def test_toggling_the_last_label_off_leaves_a_decision_with_no_label(
    session: AnnotationSession,
) -> None:
    session.toggle_label("position")
    session.toggle_label("position")
    line = last_line(session)
    assert (line.action, line.labels) == (LABEL, ())
    assert session.decision is not None and session.progress() == (1, 6)


def test_an_exclusive_label_key_replaces_the_label_and_moves_on(
    open_session: OpenSession,
) -> None:
    session = open_session(labels=EXCLUSIVE)
    session.toggle_label("commitment")
    assert last_line(session).labels == ("commitment",)
    assert session.position == S[1]  # one key per sentence

    session.previous()
    session.toggle_label("threat")
    assert last_line(session).labels == ("threat",)  # replaced, never both
    assert session.decision_at(S[0]) is not None
    assert session.decision_at(S[0]).labels == ("threat",)  # type: ignore[union-attr]
    assert session.position == S[1]


def test_decide_sets_the_labels_at_once_and_moves_on(session: AnnotationSession) -> None:
    session.decide(("position", "commitment"))
    line = last_line(session)
    assert (line.action, set(line.labels)) == (LABEL, {"position", "commitment"})
    assert session.position == S[1]


# --- enter, x, space ----------------------------------------------------------------


def test_enter_on_an_undecided_sentence_without_suggestion_does_nothing(
    session: AnnotationSession,
) -> None:
    assert session.confirm() is False
    assert session.position == S[0] and written(session) == []


def test_enter_on_a_decided_sentence_moves_on_without_writing(
    session: AnnotationSession,
) -> None:
    session.toggle_label("commitment")
    assert session.confirm() is True
    assert session.position == S[1]
    assert len(written(session)) == 1  # the labels already stood: no second line


def test_enter_can_move_to_the_next_undecided_sentence(session: AnnotationSession) -> None:
    session.enter_moves_to = "next-undecided"
    session.go_to(0, 0, 1)
    session.toggle_label("threat")  # S[1] decided
    session.go_to(0, 0, 0)
    session.toggle_label("commitment")
    assert session.confirm()
    assert session.position == S[2]  # over the decided S[1]


def test_x_records_that_no_label_applies_and_moves_on(session: AnnotationSession) -> None:
    session.no_label()
    line = last_line(session)
    assert (line.action, line.labels, line.start) == (
        LABEL,
        (),
        session.documents[0].turns[0].sentences[0].start,
    )
    assert session.position == S[1]
    assert session.decision_at(S[0]) is not None and session.progress() == (1, 6)


def test_space_skips_without_deciding(session: AnnotationSession) -> None:
    assert session.next()
    assert session.position == S[1]
    assert written(session) == [] and session.progress() == (0, 6)


# --- flags, notes, exclusions ---------------------------------------------------------


def test_a_flag_on_an_undecided_sentence_is_not_a_decision(session: AnnotationSession) -> None:
    session.toggle_flag()
    line = last_line(session)
    assert (line.action, line.flag, line.labels) == (MARK, True, ())
    assert session.decision is None and session.line is not None and session.line.flag
    assert session.to_do(S[0]) and session.progress() == (0, 6)
    assert session.flagged(0) == 1

    session.toggle_flag()  # unflagged, nothing left: back to never seen
    assert last_line(session).action == CLEAR
    assert session.line is None and session.flagged(0) == 0


def test_a_flag_on_a_decided_sentence_keeps_its_labels(session: AnnotationSession) -> None:
    session.toggle_label("threat")
    session.toggle_flag()
    line = last_line(session)
    assert (line.action, line.labels, line.flag) == (LABEL, ("threat",), True)
    assert session.progress() == (1, 6)


def test_a_note_is_kept_by_a_later_decision_and_can_be_removed(
    session: AnnotationSession,
) -> None:
    session.set_note("  check the verb  ")
    line = last_line(session)
    assert (line.action, line.note) == (MARK, "check the verb")  # a note never decides
    assert session.decision is None

    session.toggle_label("commitment")
    line = last_line(session)
    assert (line.action, line.labels, line.note) == (LABEL, ("commitment",), "check the verb")

    session.set_note("")  # an empty note removes it; the decision stands
    line = last_line(session)
    assert (line.action, line.labels, line.note) == (LABEL, ("commitment",), None)
    assert session.decision is not None and session.decision.note is None


def test_a_note_and_a_flag_are_kept_together(session: AnnotationSession) -> None:
    session.set_note("ask the team")
    session.toggle_flag()
    line = last_line(session)
    assert (line.action, line.note, line.flag) == (MARK, "ask the team", True)
    session.set_note("")
    assert (last_line(session).action, last_line(session).flag) == (MARK, True)


def test_exclude_takes_a_sentence_out_of_the_work_and_back(session: AnnotationSession) -> None:
    session.toggle_exclude()
    assert last_line(session).action == EXCLUDE
    assert session.progress() == (0, 5) and not session.to_do(S[0])
    session.toggle_exclude()
    assert last_line(session).action == CLEAR
    assert session.progress() == (0, 6) and session.to_do(S[0])


# --- undo and redo ---------------------------------------------------------------


def test_undo_restores_the_line_before_and_moves_the_cursor_there(
    session: AnnotationSession,
) -> None:
    session.toggle_label("commitment")
    session.toggle_label("threat")
    session.end()
    undone = session.undo()
    line = last_line(session)
    assert undone is not None and (line.step, line.action, line.labels) == (
        "undo",
        LABEL,
        ("commitment",),
    )
    assert session.position == S[0] and session.current_labels() == ("commitment",)

    session.undo()  # back to never seen
    assert (last_line(session).step, last_line(session).action) == ("undo", CLEAR)
    assert session.decision is None and session.progress() == (0, 6)
    assert session.undo() is None  # nothing left in this session
    assert session.last_decision is not None and session.last_decision.action == CLEAR


def test_redo_does_the_undone_step_again(session: AnnotationSession) -> None:
    session.no_label()  # S[0], the cursor moves to S[1]
    session.toggle_label("position")  # S[1]
    session.undo()
    session.undo()
    assert session.redo() is not None
    line = last_line(session)
    assert (line.step, line.action, line.labels) == ("redo", LABEL, ())
    assert session.position == S[0] and session.decision is not None
    session.redo()
    assert (last_line(session).labels, session.position) == (("position",), S[1])
    assert session.redo() is None
    # What the log now says, replayed from the file:
    state = read_log(session.log.path)
    assert sorted(d.labels for d in state.decisions("briefing")) == [(), ("position",)]


def test_undo_brings_back_a_flag_removed_by_mistake(session: AnnotationSession) -> None:
    session.toggle_flag()
    session.toggle_flag()
    session.undo()
    assert (last_line(session).action, last_line(session).flag) == (MARK, True)
    assert session.line is not None and session.line.flag and session.decision is None


# --- moving ----------------------------------------------------------------


def test_next_and_previous_skip_turns_without_sentences_and_stop_at_the_ends(
    session: AnnotationSession,
) -> None:
    seen = [session.position]
    while session.next():
        seen.append(session.position)
    assert seen == READING_ORDER
    back = [session.position]
    while session.previous():
        back.append(session.position)
    assert back == READING_ORDER[::-1]
    assert written(session) == []  # moving never writes


def test_next_and_previous_cross_documents(open_session: OpenSession) -> None:
    session = open_session([numbered_document("a", 2), numbered_document("b", 2)])
    session.next()
    assert session.next() and session.position == Position(1, 0, 0)
    assert session.previous() and session.position == Position(0, 0, 1)


def test_turn_keys_jump_to_the_first_sentence_of_a_turn(session: AnnotationSession) -> None:
    session.go_to(0, 0, 2)
    assert session.next_turn(1) and session.position == QUESTION  # the empty turn skipped
    assert session.next_turn(1) and session.position == LAST_TURN[0]
    assert not session.next_turn(1) and session.position == LAST_TURN[0]
    assert session.next_turn(-1) and session.position == QUESTION
    assert session.next_turn(-1) and session.position == S[0]
    assert not session.next_turn(-1)


def test_home_and_end(session: AnnotationSession) -> None:
    session.end()
    assert session.position == LAST_TURN[1]
    session.home()
    assert session.position == S[0]


def test_go_to_clamps_and_ignores_turns_without_sentences(session: AnnotationSession) -> None:
    session.go_to(0, 3, 9)
    assert session.position == LAST_TURN[1]
    session.go_to(0, 1)  # the operator's empty turn: nothing to land on
    assert session.position == LAST_TURN[1]


def test_next_undecided_wraps_around_and_says_when_all_are_done(
    session: AnnotationSession,
) -> None:
    for position in READING_ORDER[1:]:
        session.go_to(position.doc, position.turn, position.sentence)
        session.toggle_label("threat")
    assert session.next_undecided() and session.position == S[0]  # wrapped
    session.toggle_exclude()  # excluded is not to do either
    assert not session.next_undecided()


def test_documents_key_jumps_to_a_documents_first_sentence_to_do(
    open_session: OpenSession,
) -> None:
    session = open_session([numbered_document("a", 3), numbered_document("b", 3)])
    session.go_to_document(1)
    session.no_label()
    session.go_to_document(0)
    assert session.position == Position(0, 0, 0)
    session.go_to_document(1)
    assert session.position == Position(1, 0, 1)  # the first it still has to do
    overview = session.documents_overview()
    assert [(d.id, d.decided, d.total) for d in overview] == [("a", 0, 3), ("b", 1, 3)]


# --- filters and search ----------------------------------------------------------------


def test_the_flagged_filter_visits_flagged_sentences_only(session: AnnotationSession) -> None:
    session.go_to(0, 2)
    session.toggle_flag()
    session.home()
    assert session.set_filter(Filter("flagged"))
    assert session.position == QUESTION
    assert not session.next() and not session.previous()
    assert session.hidden_in_turn(0, 0) == {0, 1, 2}
    session.set_filter(Filter())
    assert session.hidden_in_turn(0, 0) is None


def test_the_undecided_filter_skips_decided_and_excluded_sentences(
    session: AnnotationSession,
) -> None:
    session.go_to(0, 0, 1)
    session.toggle_label("commitment")
    session.go_to(0, 0, 2)
    session.toggle_exclude()
    session.home()
    assert session.set_filter(Filter("undecided"))
    assert session.position == S[0]
    assert session.next() and session.position == QUESTION
    session.toggle_label("threat")  # decided now: the filter no longer shows it
    assert session.next() and session.position == LAST_TURN[0]
    assert session.previous() and session.position == S[0]


def test_speaker_and_label_filters(session: AnnotationSession) -> None:
    session.go_to(0, 3, 1)
    session.toggle_label("position")
    assert session.set_filter(Filter("speaker", "question"))  # case-insensitive
    assert session.position == QUESTION
    assert session.set_filter(Filter("label", "position"))
    assert session.position == LAST_TURN[1]
    assert not session.set_filter(Filter("label", "threat"))  # nothing to show


def test_search_moves_to_the_next_match_and_wraps(session: AnnotationSession) -> None:
    assert session.search("TALKS")  # case-insensitive
    assert session.position == QUESTION
    assert session.search("talks") and session.position == LAST_TURN[0]
    assert session.search("talks") and session.position == QUESTION  # wrapped round
    assert session.search("defend", forward=False) and session.position == S[0]
    assert not session.search("sanctions") and session.position == S[0]
    assert not session.search("   ")
    assert written(session) == []


# --- the uncertain order ---------------------------------------------------------------


class ScriptedModel(ContextModel):
    """A stand-in for ``Suggester``: the suggestion of each sentence is looked up by
    its text; a sentence it has nothing for gets no suggestion."""

    model_id = "scripted-1"

    def __init__(self, suggestions: dict[str, Suggestion]) -> None:
        self.suggestions = suggestions
        #: Per sentence text, the decisions on the sentence before it that it was
        #: suggested with, in order (None: undecided).
        self.previous: dict[str, list[tuple[str, ...] | None]] = {}

    def suggest_one(self, text: str, context: SentenceContext) -> Suggestion | None:
        self.previous.setdefault(text, []).append(context.previous)
        return self.suggestions.get(text)


def suggestion(labels: tuple[str, ...], score: float = 0.9, *, sure: bool = True) -> Suggestion:
    """A suggestion of ``labels`` (scored ``score``, the others ``1 - score``): its
    uncertainty is ``|score - 0.5|``."""
    scores = {label.name: (score if label.name in labels else 1 - score) for label in LABELS}
    return Suggestion(scores, labels, 0.5, confident=sure)


def test_the_uncertain_order_visits_the_least_sure_first_and_never_lands_on_decided(
    session: AnnotationSession,
) -> None:
    model = ScriptedModel(
        {
            "Deterrence holds.": suggestion(("commitment",), 0.52),  # least sure
            "Thank you.": suggestion((), 0.6),
            "We will defend our allies.": suggestion(("commitment",), 0.7),
            "What about the nuclear talks?": suggestion(("threat",), 0.95),
        }
    )
    session.use_suggester(model)  # type: ignore[arg-type]
    session.order_by_uncertainty()
    assert session.order == [S[1], LAST_TURN[1], S[0], QUESTION]
    assert session.resume() == S[1]
    # Decide the third in the queue out of turn: the queue must not land on it.
    session.go_to(0, 0, 0)
    session.toggle_label("threat")
    session.go_to(0, 0, 1)
    session.accept_suggestion()  # decides S[1] and moves along the queue
    assert session.position == LAST_TURN[1]
    assert session.next() and session.position == QUESTION  # S[0], decided, skipped
    assert not session.next()
    assert session.previous() and session.position == S[0]  # backward: to look at it
    # Everything in the queue decided: resume finds nothing left to do in it.
    session.go_to(0, 3, 1)
    session.no_label()
    session.go_to(0, 2)
    session.no_label()
    assert session.resume() is None


# --- suggestions ----------------------------------------------------------------


@pytest.fixture
def suggested(session: AnnotationSession) -> AnnotationSession:
    session.use_suggester(
        ScriptedModel(  # type: ignore[arg-type]
            {
                "We will defend our allies.": suggestion(("commitment",)),
                "Deterrence holds.": suggestion(("commitment",)),
                "Next question, please.": suggestion(("position",)),
                "What about the nuclear talks?": suggestion(("threat",), sure=False),
                "Thank you.": suggestion(()),
            }
        )
    )
    return session


def test_deciding_a_sentence_suggests_again_for_the_next_with_that_decision(
    session: AnnotationSession,
) -> None:
    """The model reads the decision on the sentence before (the analyst's run of
    hand-overs, a pledge spelled out over sentences): what the screen shows for a
    sentence follows the decisions made, undone and changed before it, across a
    turn's end too (the empty OPERATOR turn has no sentence to be before)."""
    model = ScriptedModel({})
    session.use_suggester(model)  # type: ignore[arg-type]
    session.suggestion_for(0, session.documents[0].turns[0].sentences[1])
    assert model.previous["Deterrence holds."] == [None]  # nothing decided yet
    session.toggle_label("commitment")  # on the first sentence
    assert model.previous["Deterrence holds."] == [None, ("commitment",)]
    session.toggle_label("threat")
    session.undo()
    assert model.previous["Deterrence holds."][-2:] == [("commitment", "threat"), ("commitment",)]
    session.go_to(0, 0, 2)
    session.no_label()  # "Next question, please." ends the turn; the question follows it
    assert model.previous["What about the nuclear talks?"][-1] == ()
    assert model.previous["We will defend our allies."] == [None]  # nothing before it


def test_an_excluded_sentence_is_passed_over_and_a_merge_suggests_afresh(
    session: AnnotationSession,
) -> None:
    """As in training (exports leave excluded sentences out), the sentence after an
    excluded one follows the sentence before it; a merge makes new sentences, and
    their suggestions are made anew."""
    model = ScriptedModel({})
    session.use_suggester(model)  # type: ignore[arg-type]
    session.toggle_label("commitment")  # the first sentence
    session.go_to(0, 0, 1)
    session.toggle_exclude()  # "Deterrence holds." is not speech, say
    assert model.previous["Next question, please."][-1] == ("commitment",)
    session.go_to(0, 3, 0)
    session.merge()  # "We do not comment on talks." + "Thank you."
    session.suggestion_for(0, session.turn.sentences[0])
    merged = session.turn.sentences[0].text
    assert merged.startswith("We do not comment") and model.previous[merged] == [None]


def test_accepting_a_suggestion_records_the_model_and_counts_as_taken(
    suggested: AnnotationSession,
) -> None:
    assert suggested.suggestion_uptake() is None  # nothing decided from one yet
    decision = suggested.accept_suggestion()
    line = last_line(suggested)
    assert decision is not None and (line.action, line.labels) == (LABEL, ("commitment",))
    assert line.meta["suggested_by"] == "scripted-1"
    assert line.meta["suggested"] == ["commitment"]
    assert suggested.position == S[1]
    assert (suggested.suggestions_decided, suggested.suggestions_taken) == (1, 1)
    assert suggested.suggestion_for(0, units(suggested.document)[0][1]) is None  # decided


def test_enter_on_an_undecided_suggested_sentence_accepts_it(
    suggested: AnnotationSession,
) -> None:
    assert suggested.confirm()
    assert last_line(suggested).meta["suggested"] == ["commitment"]
    assert (suggested.suggestions_decided, suggested.suggestions_taken) == (1, 1)


def test_editing_or_turning_down_a_suggestion_counts_as_not_taken(
    suggested: AnnotationSession,
) -> None:
    suggested.toggle_label("threat")  # starts from the suggested labels
    line = last_line(suggested)
    assert line.labels == ("commitment", "threat")
    assert line.meta["suggested"] == ["commitment"]
    suggested.next()
    suggested.no_label()  # turned down
    assert last_line(suggested).labels == ()
    assert last_line(suggested).meta["suggested"] == ["commitment"]
    suggested.accept_suggestion()  # "position", taken
    assert (suggested.suggestions_decided, suggested.suggestions_taken) == (3, 1)
    assert suggested.suggestion_uptake() == "suggestions taken unchanged: 1/3 (33%)"


def test_x_on_a_suggestion_of_no_label_is_taking_it(suggested: AnnotationSession) -> None:
    suggested.go_to(0, 3, 1)
    suggested.no_label()
    assert (suggested.suggestions_decided, suggested.suggestions_taken) == (1, 1)


def test_a_suggestion_the_model_is_not_sure_of_is_not_shown(
    suggested: AnnotationSession,
) -> None:
    suggested.go_to(0, 2)
    assert suggested.suggestion is None
    assert suggested.accept_suggestion() is None and written(suggested) == []
    suggested.toggle_label("position")  # an ordinary decision, nothing suggested
    assert "suggested_by" not in last_line(suggested).meta
    assert suggested.suggestions_decided == 0


# --- resume ----------------------------------------------------------------


def test_resume_on_a_corpus_lands_in_the_first_document_with_work_left(
    open_session: OpenSession,
) -> None:
    corpus = [numbered_document("one", 4), numbered_document("two", 4)]
    first = open_session(corpus)
    for _ in range(6):  # all of one, half of two
        first.no_label()
    first.log.close()

    again = open_session(corpus)
    assert again.resume() == Position(1, 0, 2)
    assert again.sentence is not None and again.sentence.text == "Sentence 2 of two."
    assert again.progress() == (6, 8) and again.progress(0) == (4, 4)


def test_resume_when_all_is_done_waits_for_documents_still_loading(
    open_session: OpenSession,
) -> None:
    session = open_session([numbered_document("one", 2)])
    session.no_label()
    session.no_label()
    assert session.resume() is None
    assert session.position == Position(0, 0, 0)
    assert session.add_documents([numbered_document("two", 2)])  # the cursor moved in
    assert session.position == Position(1, 0, 0)


# --- merge and split ----------------------------------------------------------------


def test_merge_joins_the_sentence_with_the_next_and_undo_takes_it_back(
    session: AnnotationSession,
) -> None:
    assert session.merge() is True
    line = last_line(session)
    assert (line.action, line.text, line.next_text) == (
        MERGE,
        "We will defend our allies.",
        "Deterrence holds.",
    )
    assert [s.text for s in session.turn.sentences] == [
        "We will defend our allies. Deterrence holds.",
        "Next question, please.",
    ]
    assert session.progress() == (0, 5)
    session.undo()
    assert last_line(session).action == REVERT
    assert len(session.turn.sentences) == 3 and session.progress() == (0, 6)


def test_merge_says_which_decisions_do_not_carry_over(session: AnnotationSession) -> None:
    session.toggle_label("commitment")
    assert session.merge() == "commitment | undecided"
    assert session.decision is None  # the merged sentence is undecided


def test_merge_of_the_last_sentence_of_a_turn_is_refused(session: AnnotationSession) -> None:
    session.go_to(0, 0, 2)
    assert session.merge() is False and written(session) == []


def test_split_cuts_a_sentence_in_two_where_asked(session: AnnotationSession) -> None:
    span = session.sentence
    assert span is not None
    offset = span.start + span.text.index("our")
    assert not session.split(span.start) and not session.split(span.end)  # not inside
    assert session.split(offset)
    line = last_line(session)
    assert (line.action, line.split_at) == (SPLIT, offset)
    assert [s.text for s in session.turn.sentences][:2] == ["We will defend", "our allies."]
    assert session.progress() == (0, 7)


# --- work lists ----------------------------------------------------------------


def test_a_scope_keeps_the_cursor_and_progress_to_the_sentences_to_code(
    open_session: OpenSession,
) -> None:
    document = briefing()
    wanted = {units(document)[1][1].location, units(document)[4][1].location}
    base = open_session([document])
    session = AnnotationSession(
        [document], MULTI, base.log, scope=lambda _doc, start, end: (start, end) in wanted
    )
    assert session.resume() == S[1]
    assert session.next() and session.position == LAST_TURN[0]
    assert not session.next()
    assert session.progress() == (0, 2)
    session.go_to(0, 0, 0)  # a click on context lands on the nearest sentence to code
    assert session.position == S[1]
    # PgDn/PgUp pass over turns with nothing to code (the question turn is context),
    # landing on a sentence to code: they landed on context, where a key decided it.
    assert session.next_turn(1) and session.position == LAST_TURN[0]
    assert session.next_turn(-1) and session.position == S[1]
    assert not session.next_turn(-1)
    # Nothing is recorded on context, whatever path put the cursor there.
    session.position = QUESTION
    assert session.toggle_label("commitment") is None and session.toggle_exclude() is None
    assert session.progress() == (0, 2)
