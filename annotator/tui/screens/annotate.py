"""The annotation screen: the current turn, the labels, the turn list, and every key.

The screen is a thin controller over ``AnnotationSession``: each key calls one
session method, then redraws only what changed (one or two sentence rows, the
turn list entry, the header). Nothing is shown as saved before the log has it
on disk; a write that fails is shown at once, in red, and rings the bell.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, ProgressBar, Static

from annotator.errors import AnnotatorError
from annotator.ingest.report import reading_warnings
from annotator.keys import KEY_ACTIONS
from annotator.printable import terminal_safe
from annotator.session import AnnotationSession, Filter
from annotator.tui.messages import LabelClicked, SentenceClicked, TurnChosen
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.navigator import DocumentNavigator, LabelPicker
from annotator.tui.screens.prompts import ChoicePrompt, SplitPrompt, TextPrompt
from annotator.tui.widgets.label_panel import LabelPanel
from annotator.tui.widgets.transcript_view import TranscriptView
from annotator.tui.widgets.turn_list import TurnList

if TYPE_CHECKING:
    from annotator.log import Decision


#: How many reading warnings one notification lists.
_WARNINGS_SHOWN = 6


def _unsourced(warning: str, source: str) -> str:
    """A warning without its ``source:`` prefix (the header already names the document)."""
    prefix = f"{source}: "
    return warning[len(prefix) :] if source and warning.startswith(prefix) else warning


class AnnotatorCommands(Provider):
    """Command palette entries: every action of the screen and every label."""

    def _commands(self) -> Iterator[tuple[str, str, str]]:
        screen = self.screen
        if not isinstance(screen, AnnotateScreen):
            return
        for action in KEY_ACTIONS:
            yield action.description.capitalize(), action.action, f"key: {key_names(action.keys)}"
        for index, label in enumerate(screen.session.labels.labels):
            yield f"Label: {label.name}", f"toggle_label({index})", label.description

    async def discover(self) -> Hits:
        for name, action, help_text in self._commands():
            yield DiscoveryHit(name, self._runner(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), self._runner(action), help=help_text)

    def _runner(self, action: str):  # type: ignore[no-untyped-def]
        async def run() -> None:
            await self.screen.run_action(action)

        return run


class AnnotateScreen(Screen[None]):
    """Label the sentences of the current turn, one keystroke each."""

    COMMANDS = Screen.COMMANDS | {AnnotatorCommands}
    BINDINGS = [Binding(a.keys, a.action, a.description, show=a.show, id=a.id) for a in KEY_ACTIONS]

    def __init__(self, session: AnnotationSession, log_name: str) -> None:
        super().__init__()
        self.session = session
        self.log_name = log_name
        self.loading_message: str = ""
        self.saved_count = 0
        self._focused_row = -1
        self._doc_shown = -1
        self._stale_turns: set[int] = set()
        #: Each shown document's reading warnings (the import report's), by index.
        self._warnings: dict[int, list[str]] = {}
        self._header_lines = 0
        self._turn_timer: Timer | None = None
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
            self._bindings.key_to_bindings.setdefault(binding.key, []).append(binding)

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        yield ProgressBar(id="loading", show_eta=False)
        with Horizontal(id="body"):
            yield TurnList(id="turns")
            yield TranscriptView(id="transcript")
            yield LabelPanel(self.session.labels, id="labels")
        yield from self.compose_extra()
        yield Static(id="status")
        yield Footer()

    def _fit_width(self) -> None:
        # Below 120 columns the turn list goes; below 100 the label panel narrows, so
        # the sentences keep most of an 80-column screen; from 175 the transcript keeps
        # a readable measure and the panels take the rest.
        width = self.size.width
        # One mapping, so that the screen is restyled once, not once per class changed.
        self.update_classes({"-medium": width < 120, "-narrow": width < 100, "-wide": width >= 175})

    def compose_extra(self) -> ComposeResult:
        """Widgets between the transcript and the status line (none here)."""
        yield from ()

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

    def on_resize(self) -> None:
        self._fit_width()

    def on_mount(self) -> None:
        self._fit_width()
        self.redraw(full=True)
        self.say(f"Saving to {self.log_name}. Press ? for help.")
        # What opening the log noticed (a lock taken over, lines skipped) is shown
        # here, where the analyst looks, not only in the terminal before the screen.
        for warning in self.session.log.warnings:
            self.notify(terminal_safe(warning), severity="warning", timeout=15, markup=False)

    # --- drawing ----------------------------------------------------------------

    def _first_number(self) -> int:
        turns = self.session.document.turns[: self.session.position.turn]
        return 1 + sum(len(turn.sentences) for turn in turns)

    def redraw(self, *, full: bool = False) -> None:
        """Bring every part of the screen up to the session's position."""
        session = self.session
        if not session.documents or session.sentence is None:
            self.query_one("#header", Static).update(Text("Nothing to annotate", style="bold"))
            return
        position = session.position
        view = self.query_one(TranscriptView)
        turn_list = self.query_one(TurnList)
        if full or position.doc != self._doc_shown:
            self._doc_shown = position.doc
            self.query_one(LabelPanel).show_counts(session.label_counts(position.doc))
            document = session.document
            turn_list.show_document(
                position.doc,
                document,
                [session.turn_progress(position.doc, turn) for turn in document.turns],
            )
            view.shown = None
            if position.doc not in self._warnings:
                # Told once, when the document is first opened; the header keeps it.
                self._warnings[position.doc] = reading_warnings(document)
                if self._warnings[position.doc]:
                    self.action_reading_warnings()
        turn = session.turn
        decisions = [session.line_for(position.doc, span) for span in turn.sentences]
        suggestions = [session.suggestion_for(position.doc, span) for span in turn.sentences]
        context = session.hidden_in_turn(position.doc, position.turn)
        if view.show_turn(
            session.document,
            position.turn,
            self._first_number(),
            decisions,
            session.labels,
            position.sentence,
            suggestions,
            context=context,
        ):
            self._focused_row = position.sentence
        self._focus(position.sentence)
        turn_list.mark_current(position.turn)
        self._header()

    def _focus(self, index: int) -> None:
        """Move the cursor mark to sentence ``index`` of the shown turn."""
        view = self.query_one(TranscriptView)
        session = self.session
        sentences = session.turn.sentences
        if self._focused_row != index and 0 <= self._focused_row < len(sentences):
            self._show_row(self._focused_row, focused=False)
        if 0 <= index < len(sentences):
            self._show_row(index, focused=True)
            view.focus_row(index)
        self._focused_row = index
        self.query_one(LabelPanel).show_active(session.current_labels())
        self.sentence_focused()

    def _show_row(self, index: int, *, focused: bool) -> None:
        session = self.session
        doc = session.position.doc
        span = session.turn.sentences[index]
        self.query_one(TranscriptView).show_decision(
            index,
            session.line_for(doc, span),
            session.labels,
            focused=focused,
            suggestion=session.suggestion_for(doc, span),
        )

    def sentence_focused(self) -> None:
        """Called whenever the cursor lands on a sentence; screens built on this one
        (adjudication) show more about it."""

    def _header(self) -> None:
        session = self.session
        document = session.document
        decided, total = session.progress()
        doc_decided, doc_total = session.progress(session.position.doc)
        width = 16
        filled = round(width * decided / total) if total else 0
        title = Text(
            terminal_safe(document.title or document.id, keep_newlines=False),
            style="bold",
            no_wrap=True,
            overflow="ellipsis",
        )
        text = Text(no_wrap=True, overflow="ellipsis")
        if len(session.documents) > 1:
            text.append(f"doc {session.position.doc + 1}/{len(session.documents)} · ")
        text.append(f"turn {session.position.turn + 1}/{len(document.turns)} · ")
        text.append(f"this doc {doc_decided}/{doc_total} · ")
        text.append("█" * filled, style="green")
        text.append("░" * (width - filled), style="dim")
        text.append(f" {decided}/{total} decided", style="bold")
        if session.filter.kind != "all":
            text.append(f" · showing {session.filter.describe()}", style="yellow")
        if self.loading_message:
            text.append(f" · {self.loading_message}", style="cyan")
        lines = [title, text]
        warnings = self._warnings.get(session.position.doc, [])
        if warnings:
            plural = "" if len(warnings) == 1 else "s"
            warned = Text(no_wrap=True, overflow="ellipsis", style="yellow")
            warned.append(f"⚠ {len(warnings)} reading warning{plural} (W): ", style="bold")
            warned.append(
                terminal_safe(_unsourced(warnings[0], document.source), keep_newlines=False)
            )
            lines.append(warned)
        # Two lines, or three with warnings: the layout changes only when that does.
        resized = len(lines) != self._header_lines
        self._header_lines = len(lines)
        self.query_one("#header", Static).update(Group(*lines), layout=resized)

    def say(self, message: str, *, error: bool = False) -> None:
        """One line in the status bar; errors in red, with the bell."""
        # Messages quote file names, search text, errors: input, shown safely.
        message = terminal_safe(message, keep_newlines=False)
        text = Text(message, style="bold red" if error else "", no_wrap=True, overflow="ellipsis")
        self.query_one("#status", Static).update(text, layout=False)
        if error:
            self.app.bell()
            self.notify(message, severity="error", timeout=8)

    def _saved(self, decision: Decision | None) -> None:
        """Show a decision that the log has put on disk."""
        if decision is None:
            return
        self.saved_count += 1
        uptake = self.session.suggestion_uptake()
        self.say(
            f"✓ saved: {describe_line(decision)} · {self.saved_count} this session · "
            + (f"{uptake} · " if uptake else "")
            + self.log_name
        )

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

    def _guarded(self, write):  # type: ignore[no-untyped-def]
        """Run a session call that writes to the log; show failures, never hide them."""
        try:
            return True, write()
        except (AnnotatorError, OSError) as error:
            self.say(f"NOT SAVED: {error}", error=True)
            return False, None

    # --- moving ----------------------------------------------------------------

    def _moved(self, ok: bool, message: str = "") -> None:
        if ok:
            self.redraw()
        elif message:
            self.say(message)

    def action_next(self) -> None:
        self._moved(self.session.next(), self._end_message(forward=True))

    def action_previous(self) -> None:
        self._moved(self.session.previous(), self._end_message(forward=False))

    def _end_message(self, *, forward: bool) -> str:
        """What the cursor hit: the end of the corpus or the last sentence the filter shows."""
        shown = self.session.filter.phrase()
        if not shown:
            return "This is the last sentence." if forward else "This is the first sentence."
        where = "after" if forward else "before"
        return f"No more {shown} {where} this one (F to show all)."

    def action_next_turn(self) -> None:
        self._moved(self.session.next_turn(1), "This is the last turn.")

    def action_previous_turn(self) -> None:
        self._moved(self.session.next_turn(-1), "This is the first turn.")

    def action_home(self) -> None:
        self.session.home()
        self.redraw()

    def action_end(self) -> None:
        self.session.end()
        self.redraw()

    def action_skip(self) -> None:
        self._moved(self.session.next(), self._end_message(forward=True))

    def action_next_undecided(self) -> None:
        if self.session.next_undecided():
            self.redraw()
        else:
            self.say("Every sentence has a decision. Well done.")

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

    def action_retrain(self) -> None:
        model_dir = getattr(self.app, "model_dir", None)
        if model_dir is None:
            self.say("Retraining needs a model folder: start with --suggest MODEL_DIR.")
            return
        self.app.retrain()  # type: ignore[attr-defined]

    def model_ready(self, message: str) -> None:
        """A retrained model replaced the old one: redraw with its suggestions."""
        self.query_one(TranscriptView).shown = None
        self.redraw(full=True)
        self.say(message)

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
        elif ok:
            self._after_history(decision, "↶ undone")

    def action_redo(self) -> None:
        ok, decision = self._guarded(self.session.redo)
        if ok and decision is None:
            self.say("Nothing to redo.")
        elif ok:
            self._after_history(decision, "↷ redone")

    def _after_history(self, decision: Decision, verb: str) -> None:
        if decision.is_correction:
            # A merge or split came back or went away: the turn's sentences changed.
            self.query_one(TranscriptView).shown = None
            self.redraw(full=True)
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
            self.query_one(TranscriptView).shown = None
            self.redraw(full=True)
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
                self.query_one(TranscriptView).shown = None
                self.redraw(full=True)
                self.say(f"Split in two · saved to {self.log_name}")

        self.app.push_screen(SplitPrompt(span), done)

    # --- finding ----------------------------------------------------------------

    def action_search(self) -> None:
        def done(query: str | None) -> None:
            if not query:
                return
            self.last_search = query
            if self.session.search(query):
                self.query_one(TranscriptView).set_highlight(" ".join(query.split()))
                self.redraw(full=True)
                self.say(f"Found “{query}”. Press / and Enter for the next match.")
            else:
                self.say(f"“{query}” is not in any sentence.")

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
            if session.set_filter(Filter(kind, argument)):
                self.redraw(full=True)
                self.say(f"Showing {session.filter.describe()}.")
            else:
                session.set_filter(Filter())
                self.redraw(full=True)
                self.say(f"No sentence is {kind} {argument}; showing all.".replace("  ", " "))

        self.app.push_screen(ChoicePrompt("Show only", choices), done)

    # --- help and panels ---------------------------------------------------------

    def action_help(self) -> None:
        keymap = getattr(self.app, "keymap_overrides", {})
        self.app.push_screen(HelpScreen(self.session.labels, keymap))

    def action_documents(self) -> None:
        """D: the document navigator."""
        session = self.session

        def chosen(value: str | None) -> None:
            if value is None:
                return
            session.go_to_document(int(value))
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

    def action_reading_warnings(self) -> None:
        """What reading this document's transcript warned about (the import report)."""
        document = self.session.document
        warnings = self._warnings.get(self.session.position.doc, [])
        if not warnings:
            self.notify("No reading warnings for this document.", timeout=4)
            return
        shown = [_unsourced(w, document.source) for w in warnings[:_WARNINGS_SHOWN]]
        if len(warnings) > _WARNINGS_SHOWN:
            shown.append(f"and {len(warnings) - _WARNINGS_SHOWN} more: annotator parse FILE")
        self.notify(
            terminal_safe("\n".join(f"• {w}" for w in shown)),
            title=terminal_safe(f"Reading {document.source or document.id}", keep_newlines=False),
            severity="warning",
            timeout=20,
            markup=False,
        )

    def action_guidance(self) -> None:
        self.query_one(LabelPanel).toggle_guidance()

    def action_quit(self) -> None:
        self.app.exit(self.session_summary())

    def session_summary(self) -> str:
        decided, total = self.session.progress()
        plural = "" if self.saved_count == 1 else "s"
        return (
            f"All saved: {self.saved_count} decision{plural} this session; "
            f"{decided}/{total} sentences decided in {self.log_name}."
        )

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

    # --- loading ----------------------------------------------------------------

    def documents_loaded(
        self, message: str, done: int = 0, total: int | None = None, *, moved: bool = False
    ) -> None:
        """The background loader delivered documents; show its progress and new totals
        (and the sentence resume moved to, when the work goes on in them)."""
        self.loading_message = message
        bar = self.query_one("#loading", ProgressBar)
        bar.display = bool(message)
        if message:
            bar.update(total=total, progress=done)
        if moved:
            self.redraw(full=True)
        self._header()


_KEY_NAMES = {
    "down": "↓",
    "up": "↑",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "slash": "/",
    "question_mark": "?",
    "space": "Space",
    "enter": "Enter",
    "escape": "Esc",
    "home": "Home",
    "end": "End",
}


def key_names(keys: str) -> str:
    """``down,j`` as a person reads it: ``↓ or j``; ``ctrl+r,U``: ``Ctrl+R or U``."""
    shown = []
    for key in keys.split(","):
        if key.startswith("ctrl+"):
            shown.append("Ctrl+" + key[5:].upper())
        else:
            shown.append(_KEY_NAMES.get(key, key))
    return " or ".join(shown)


def describe_line(line: Decision) -> str:
    """What a log line recorded, in a few words for the status line."""
    extras = (" · flagged" if line.flag else "") + (" · note" if line.note else "")
    if line.action == "label":
        return (", ".join(line.labels) or "no label") + extras
    if line.action == "exclude":
        return "not speech (excluded)" + extras
    if line.action == "revert":
        return "boundary restored"
    if line.action in ("merge", "split"):
        return f"{line.action}d"
    return "undecided" + extras
