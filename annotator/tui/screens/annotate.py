"""The annotation screen: every key, and the work it starts in the background.

The screen is a thin controller over ``AnnotationSession``: each key calls one
session method, then redraws only what changed (``SessionView``, in
``session_view.py``, does the drawing). Nothing is shown as saved before the log
has it on disk; a write that fails is shown at once, in red, and rings the bell.
Reading the rest of the transcripts (a prepared corpus needs none: the session
reads its documents through the index as the analyst goes to them) and retraining
the suggestion model run in worker threads that post messages back
(``messages.py``); what goes wrong in them comes back through
``Worker.StateChanged`` and is told in the status line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar, cast

from textual import events, on, work
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState, get_current_worker

from annotator.errors import AnnotatorError
from annotator.keys import KEY_ACTIONS
from annotator.model import Document
from annotator.printable import terminal_safe
from annotator.session import AnnotationSession, Filter
from annotator.tui.messages import (
    DocumentsLoaded,
    LabelClicked,
    ModelReady,
    SentenceClicked,
    TrainingProgress,
    TurnChosen,
)
from annotator.tui.screens.commands import AnnotatorCommands
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.navigator import DocumentNavigator, LabelPicker
from annotator.tui.screens.prompts import ChoicePrompt, SplitPrompt, TextPrompt
from annotator.tui.screens.session_view import SessionView, describe_line
from annotator.tui.textual_private import add_binding
from annotator.tui.widgets.label_panel import LabelPanel
from annotator.tui.widgets.transcript_view import TranscriptView
from annotator.tui.widgets.turn_list import TurnList

if TYPE_CHECKING:
    from pathlib import Path

    from annotator.log import Decision
    from annotator.tui.app import AnnotatorApp

T = TypeVar("T")

#: The background loader hands documents over this many at a time.
LOAD_BATCH = 8


class AnnotateScreen(SessionView):
    """Label the sentences of the current turn, one keystroke each."""

    COMMANDS = Screen.COMMANDS | {AnnotatorCommands}
    # Help and quit lead the footer: on a narrow terminal the footer is cut at the
    # right, and ``?`` is the way to every other key.
    BINDINGS = [
        Binding(a.keys, a.action, a.description, show=a.show, id=a.id)
        for a in sorted(KEY_ACTIONS, key=lambda a: a.id not in ("help", "quit"))
    ]

    def __init__(self, session: AnnotationSession, log_name: str) -> None:
        super().__init__(session, log_name)
        self.last_search = ""
        self._stale_turns: set[int] = set()
        self._turn_timer: Timer | None = None
        #: Set when loading stopped on an error: later batches are not taken.
        self._loading_stopped = False
        #: Chords (``d1``): first key -> second key -> label index; the first key held
        #: while waiting for the second.
        self._chords: dict[str, dict[str, int]] = {}
        self._chord: str | None = None
        for index, label in enumerate(session.labels.labels):
            if label.chord:
                self._chords.setdefault(label.key[0], {})[label.key[1]] = index
                continue
            if not label.key:
                continue  # reached through the label picker (l)
            # Labels are listed with their keys in the label panel, so the footer
            # keeps its room for the other keys.
            binding = Binding(
                label.key,
                f"toggle_label({index})",
                label.name,
                show=False,
                id=f"label.{label.name}",
            )
            add_binding(self, binding)

    @property
    def annotator_app(self) -> AnnotatorApp:
        """The app, typed: its model folder, training logs, keymap, pending documents."""
        return cast("AnnotatorApp", self.app)

    def on_key(self, event: events.Key) -> None:
        """Two-key chords of grouped codebooks: the first key names a group and waits;
        the second chooses the label (Escape, or any other key, cancels)."""
        if self._chord is not None:
            first, self._chord = self._chord, None
            event.stop()
            event.prevent_default()
            index = self._chords[first].get(event.character or "")
            if index is None:
                shown = "Escape" if event.key == "escape" else terminal_safe(event.key)
                self.say(f"No label on {first} {shown}: chord cancelled.")
            else:
                self.action_toggle_label(index)
            return
        if event.character and event.character in self._chords:
            self._chord = event.character
            event.stop()
            event.prevent_default()
            labels = self.session.labels.labels
            choices = "  ".join(
                f"{second} {labels[index].name}"
                for second, index in self._chords[event.character].items()
            )
            group = labels[next(iter(self._chords[event.character].values()))].group
            self.say(f"{event.character}… {group + ': ' if group else ''}{choices}")

    def on_mount(self) -> None:
        # Textual runs SessionView's on_mount too (it draws and greets): the
        # loader's first message is handled after both.
        app = self.annotator_app
        if app.pending is not None:
            self.load_rest(app.pending, app.pending_total)

    def _after_decision(self, decision: Decision | None, *, moved: bool) -> None:
        session = self.session
        if not moved:
            self._focus(session.position.sentence)
        else:
            self.redraw()
        if decision is not None:
            self._turn_counts_later(decision.turn)
            panel = self.query_one(LabelPanel)
            panel.show_counts(session.label_counts(session.position.doc))
        self._header()
        self._saved(decision)

    def _turn_counts_later(self, turn: int) -> None:
        """Refresh a turn's count in the turn list, batched off the keystroke's frame.

        Redrawing the list costs more than the rest of a keystroke together, and
        nobody reads it while labelling a run of sentences.
        """
        self._stale_turns.add(turn)
        if self._turn_timer is None:
            self._turn_timer = self.set_timer(0.4, self._refresh_turn_counts)

    def _refresh_turn_counts(self) -> None:
        self._turn_timer = None
        session = self.session
        turn_list = self.query_one(TurnList)
        if turn_list.doc_index == session.position.doc:
            turns = session.document.turns
            for turn in sorted(self._stale_turns):
                if turn < len(turns):
                    progress = session.turn_progress(session.position.doc, turns[turn])
                    turn_list.update_turn(turn, *progress)
        self._stale_turns.clear()

    def _guarded(self, write: Callable[[], T]) -> tuple[bool, T | None]:
        """Run a session call that writes to the log; show failures, never hide them."""
        try:
            return True, write()
        except (AnnotatorError, OSError) as error:
            self.say(f"NOT SAVED: {error}", error=True)
            return False, None

    # --- moving ----------------------------------------------------------------

    def _going(self, move: Callable[[], T]) -> T | None:
        """Run a session call that may open another document: a corpus whose index no
        longer matches the file is told in one red line; the cursor stays."""
        try:
            return move()
        except AnnotatorError as error:
            self.say(str(error), error=True)
            return None

    def _ran(self, move: Callable[[], object]) -> bool:
        """``_going`` for a move that says nothing back: True when it ran."""
        return self._going(lambda: move() or True) is not None

    def _moved(self, ok: bool | None, message: str = "") -> None:
        if ok:
            self.redraw()
            self.clear_passing()
        elif message and ok is not None:
            self.say(message, passing=True)

    def action_next(self) -> None:
        self._moved(self._going(self.session.next), self._end_message(forward=True))

    def action_previous(self) -> None:
        self._moved(self._going(self.session.previous), self._end_message(forward=False))

    def _end_message(self, *, forward: bool) -> str:
        """What the cursor hit: the end of the corpus or the last sentence the filter shows."""
        shown = self.session.filter.phrase()
        if not shown:
            return "This is the last sentence." if forward else "This is the first sentence."
        where = "after" if forward else "before"
        return f"No more {shown} {where} this one (F to show all)."

    def action_next_turn(self) -> None:
        self._moved(self._going(lambda: self.session.next_turn(1)), "This is the last turn.")

    def action_previous_turn(self) -> None:
        self._moved(self._going(lambda: self.session.next_turn(-1)), "This is the first turn.")

    def action_home(self) -> None:
        self._moved(self._ran(self.session.home))

    def action_end(self) -> None:
        self._moved(self._ran(self.session.end))

    def action_skip(self) -> None:
        self._moved(self._going(self.session.next), self._end_message(forward=True))

    def action_next_undecided(self) -> None:
        self._moved(
            self._going(self.session.next_undecided), "Every sentence has a decision. Well done."
        )

    # --- deciding ----------------------------------------------------------------

    def action_toggle_label(self, index: int) -> None:
        labels = self.session.labels.labels
        if not 0 <= index < len(labels):
            return
        before = self.session.position
        ok, decision = self._guarded(lambda: self.session.toggle_label(labels[index].name))
        if ok:
            self._after_decision(decision, moved=self.session.position != before)

    def action_confirm(self) -> None:
        accepting = self.session.decision is None and self.session.suggestion is not None
        ok, confirmed = self._guarded(self.session.confirm)
        if not ok:
            return
        if not confirmed:
            self.say("No labels chosen yet: press a label key, or x for 'no label applies'.")
        elif accepting:
            # Enter on an undecided sentence took the model's labels: that is a decision.
            self._after_decision(self.session.last_decision, moved=True)
        else:
            self.redraw()

    def action_accept_suggestion(self) -> None:
        if self.session.suggestion is None:
            self.say(
                "No suggestion here: start with --suggest MODEL_DIR (train one with "
                "'annotator train')."
                if self.session.suggester is None
                else "No suggestion here: the sentence is decided, or the model is not "
                "sure enough to suggest."
            )
            return
        ok, decision = self._guarded(self.session.accept_suggestion)
        if ok:
            self._after_decision(decision, moved=True)

    def action_no_label(self) -> None:
        ok, decision = self._guarded(self.session.no_label)
        if ok:
            self._after_decision(decision, moved=True)

    def action_flag(self) -> None:
        ok, decision = self._guarded(self.session.toggle_flag)
        if ok:
            self._after_decision(decision, moved=False)

    def action_exclude(self) -> None:
        ok, line = self._guarded(self.session.toggle_exclude)
        if ok:
            self._after_decision(line, moved=False)

    def action_note(self) -> None:
        current = self.session.line
        note = current.note if current is not None and current.note else ""

        def done(value: str | None) -> None:
            if value is None:
                return
            ok, decision = self._guarded(lambda: self.session.set_note(value))
            if ok:
                self._after_decision(decision, moved=False)

        self.app.push_screen(TextPrompt("Note on this sentence", note, "why, doubt, context"), done)

    def action_undo(self) -> None:
        ok, decision = self._guarded(self.session.undo)
        if ok and decision is None:
            self.say("Nothing to undo in this session.")
        elif ok and decision is not None:
            self._after_history(decision, "↶ undone")

    def action_redo(self) -> None:
        ok, decision = self._guarded(self.session.redo)
        if ok and decision is None:
            self.say("Nothing to redo.")
        elif ok and decision is not None:
            self._after_history(decision, "↷ redone")

    def _after_history(self, decision: Decision, verb: str) -> None:
        if decision.is_correction:
            # A merge or split came back or went away: the turn's sentences changed.
            self.redraw_turn()
        else:
            self.redraw()
            self._turn_counts_later(decision.turn)
        what = describe_line(decision)
        self.say(f"{verb}: {what} · saved to {self.log_name}")

    # --- sentence boundaries -------------------------------------------------------

    def action_merge(self) -> None:
        ok, merged = self._guarded(self.session.merge)
        if ok and not merged:
            self.say("Only a sentence with a next sentence in the same turn can be merged.")
        elif ok:
            self.redraw_turn()
            message = f"Merged with the next sentence · saved to {self.log_name}"
            if merged is not True:
                # The parts' decisions do not carry over to the new unit: say so.
                message = f"Merged; decide it again (the parts had: {merged}) · {self.log_name}"
            self.say(message)

    def action_split(self) -> None:
        span = self.session.sentence
        if span is None:
            return

        def done(offset: int | None) -> None:
            if offset is None:
                return
            ok, split = self._guarded(lambda: self.session.split(offset))
            if ok and split:
                self.redraw_turn()
                self.say(f"Split in two · saved to {self.log_name}")

        self.app.push_screen(SplitPrompt(span), done)

    # --- finding ----------------------------------------------------------------

    def action_search(self) -> None:
        def done(query: str | None) -> None:
            if not query:
                return
            self.last_search = query
            found = self._going(lambda: self.session.search(query))
            if found is None:
                return
            if found:
                self.query_one(TranscriptView).set_highlight(" ".join(query.split()))
                self.redraw(full=True)
                self.say(f"Found “{query}”. Press / and Enter for the next match.")
            else:
                self.say(f"“{query}” is not in any sentence.", passing=True)

        self.app.push_screen(TextPrompt("Search sentences", getattr(self, "last_search", "")), done)

    def action_filter(self) -> None:
        session = self.session
        choices = [("all|", "all sentences"), ("undecided|", "undecided"), ("flagged|", "flagged")]
        speakers = dict.fromkeys(t.speaker for t in session.document.turns if t.speaker)
        choices += [(f"speaker|{s}", f"speaker: {s}") for s in speakers]
        choices += [(f"label|{name}", f"label: {name}") for name in session.labels.names]

        def done(value: str | None) -> None:
            if value is None:
                return
            kind, _, argument = value.partition("|")
            shown = self._going(lambda: session.set_filter(Filter(kind, argument)))
            if shown is None:
                session.filter = Filter()
                return
            if shown:
                self.redraw(full=True)
                self.say(f"Showing {session.filter.describe()}.")
            else:
                session.set_filter(Filter())
                self.redraw(full=True)
                self.say(f"No sentence is {kind} {argument}; showing all.".replace("  ", " "))

        self.app.push_screen(ChoicePrompt("Show only", choices), done)

    # --- help and panels ---------------------------------------------------------

    def action_help(self) -> None:
        self.app.push_screen(
            HelpScreen(
                self.session.labels,
                self.annotator_app.keymap_overrides,
                model=self.session.suggester is not None,
            )
        )

    def action_documents(self) -> None:
        """D: the document navigator."""
        session = self.session

        def chosen(value: str | None) -> None:
            if value is None or not self._ran(lambda: session.go_to_document(int(value))):
                return
            self.redraw(full=True)
            done, total = session.progress(session.position.doc)
            self.say(f"{session.document.id}: {done}/{total} decided")

        self.app.push_screen(
            DocumentNavigator(session.documents_overview(), session.position.doc), chosen
        )

    def action_pick_label(self) -> None:
        """l: pick a label by name (any size of codebook); Enter toggles it."""

        def chosen(value: str | None) -> None:
            if value is not None:
                self.action_toggle_label(int(value))

        self.app.push_screen(
            LabelPicker(self.session.labels, self.session.current_labels()), chosen
        )

    def action_guidance(self) -> None:
        self.query_one(LabelPanel).toggle_guidance()

    def action_quit(self) -> None:
        self.app.exit(self.session_summary())

    # --- mouse ----------------------------------------------------------------

    @on(SentenceClicked)
    def _sentence_clicked(self, event: SentenceClicked) -> None:
        position = self.session.position
        self.session.go_to(position.doc, position.turn, event.sentence)
        self.redraw()

    @on(LabelClicked)
    def _label_clicked(self, event: LabelClicked) -> None:
        names = self.session.labels.names
        self.action_toggle_label(names.index(event.name))

    @on(TurnChosen)
    def _turn_chosen(self, event: TurnChosen) -> None:
        self.session.go_to(event.doc, event.turn, 0)
        self.redraw()

    # --- background work: the rest of the corpus, and retraining -------------------

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_rest(self, pending: Iterator[Document], total: int | None) -> None:
        """Read and segment the remaining documents off the UI thread, in batches."""
        worker = get_current_worker()
        loaded = 0
        batch: list[Document] = []
        self.post_message(DocumentsLoaded([], 0, total))
        try:
            for document in pending:
                if worker.is_cancelled:
                    break
                batch.append(document)
                loaded += 1
                if len(batch) >= LOAD_BATCH:
                    self.post_message(DocumentsLoaded(batch, loaded, total))
                    batch = []
        finally:
            # Also when reading failed: what was read is kept, and loading is over
            # (the error itself arrives through Worker.StateChanged).
            self.post_message(DocumentsLoaded(batch, loaded, total, finished=True))

    @on(DocumentsLoaded)
    def _documents_loaded(self, event: DocumentsLoaded) -> None:
        moved = False
        if event.documents and not self._loading_stopped:
            try:
                moved = self.session.add_documents(event.documents)
            except AnnotatorError as error:  # an id already taken, say
                self._stop_loading(error)
        if event.finished or self._loading_stopped:
            self.show_progress("")
        else:
            shown = f"{event.done}/{event.total}" if event.total else str(event.done)
            message = f"loaded {shown} more…" if event.done else "loading more documents…"
            self.show_progress(message, event.done, event.total)
        if moved:
            self.redraw(full=True)

    def _stop_loading(self, error: BaseException) -> None:
        self._loading_stopped = True
        self.workers.cancel_group(self, "load")
        self.show_progress("")
        self.say(f"Stopped loading: {error}", error=True)

    def action_retrain(self) -> None:
        """Train a new model on the logs in the background; the analyst keeps working."""
        app = self.annotator_app
        if app.model_dir is None:
            self.say("Retraining needs a model folder: start with --suggest MODEL_DIR.")
            return
        if any(w.group == "train" and not w.is_finished for w in self.workers):
            # A training thread cannot be stopped halfway: a second one would write the
            # same model folder beside it.
            self.say("Retraining is already under way; its progress is in the header.")
            return
        self.say("Retraining the model on your decisions…")
        self.show_progress("training", 0, 100)
        self.retrain(app.model_dir, app.training_logs)

    @work(thread=True, exclusive=True, group="train", exit_on_error=False)
    def retrain(self, model_dir: Path, training_logs: list[Path]) -> None:
        """Train into ``model_dir`` off the UI thread; ``ModelReady`` when done."""
        from annotator.suggest import Suggester, read_model_meta, retraining_logs, train_model

        # The options the model was trained with (its labels, held-out share, minimums)
        # and the logs: retraining repeats them on the decisions made since.
        meta = read_model_meta(model_dir)
        options = dict(meta.get("options") or {})
        logs, missing = retraining_logs(meta, training_logs)

        def progress(share: float, step: str) -> None:
            self.post_message(TrainingProgress(share, step))

        report = train_model(
            logs,
            model_dir,
            labels=self.session.labels,
            force=True,
            progress=progress,
            **options,
        )
        summary = report.summary
        if missing:
            gone = ", ".join(str(path) for path in missing)
            summary += f"; logs it was trained on and not found now, left out: {gone}"
        self.post_message(ModelReady(Suggester.load(model_dir), summary, report.promise))

    @on(TrainingProgress)
    def _training_progress(self, event: TrainingProgress) -> None:
        self.show_progress(f"training: {event.step}", int(event.share * 100), 100)

    @on(ModelReady)
    def _model_ready(self, event: ModelReady) -> None:
        self.session.use_suggester(event.suggester)
        self.show_progress("")
        self.redraw_turn()
        self.say(
            f"New model {event.suggester.model_id} ({event.summary}): its suggestions are showing."
        )
        if event.promise:
            # Too long for the status line, and the figure to read before trusting it.
            title = terminal_safe(f"Model {event.suggester.model_id}")
            self.notify(event.promise, title=title, timeout=12, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed: one line in the status bar; the session goes on."""
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        if event.worker.group == "load":
            self._stop_loading(event.worker.error)
        elif event.worker.group == "train":
            self.show_progress("")
            self.say(f"Retraining failed: {event.worker.error}", error=True)
