"""What the annotation screens show: the session's position, drawn as it changes.

``SessionView`` lays out the header, the turn list, the current turn, the label
panel and the status line, and redraws only what a keystroke changed (one or two
sentence rows, the header); it words what a saved line did and how many sentences
this session decided (``describe_line``, ``_saved``). It decides nothing: the keys
and what they write are ``AnnotateScreen``'s (``annotate.py``), built on this view.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import ProgressBar, Static

from annotator.ingest.report import counted, reading_warnings
from annotator.log import Decision
from annotator.printable import terminal_safe
from annotator.session import AnnotationSession
from annotator.tui.widgets.key_footer import KeyFooter
from annotator.tui.widgets.label_panel import LabelPanel
from annotator.tui.widgets.transcript_view import TranscriptView
from annotator.tui.widgets.turn_list import TurnList

#: How many reading warnings one notification lists.
_WARNINGS_SHOWN = 6


def _unsourced(warning: str, source: str) -> str:
    """A warning without its ``source:`` prefix (the header already names the document)."""
    prefix = f"{source}: "
    return warning[len(prefix) :] if source and warning.startswith(prefix) else warning


class SessionView(Screen[None]):
    """The current turn, the labels and the turn list, kept up to the session's position."""

    def __init__(self, session: AnnotationSession, log_name: str) -> None:
        super().__init__()
        self.session = session
        self.log_name = log_name
        #: What the background work is doing, in the header (empty: nothing).
        self.loading_message: str = ""
        self._focused_row = -1
        self._doc_shown = -1
        #: Each shown document's reading warnings (the import report's), by index.
        self._warnings: dict[int, list[str]] = {}
        self._header_lines = 0
        #: Whether the status line holds a message the next move clears.
        self.passing_message = False
        #: Sentences this session decided (labelled or excluded), not lines written:
        #: a flag, a note, a second label on one sentence or a boundary change is no
        #: new decision.
        self.decided_here: set[tuple[str, int, int]] = set()

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        yield ProgressBar(id="loading", show_eta=False)
        with Horizontal(id="body"):
            yield TurnList(id="turns")
            yield TranscriptView(id="transcript")
            yield LabelPanel(self.session.labels, id="labels")
        yield from self.compose_extra()
        yield Static(id="status")
        yield KeyFooter()

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
        if session.suggester is not None and 0 <= index + 1 < len(sentences):
            # The model reads the decision on the sentence before: the next row's
            # suggestion follows what was just decided (or undone) here.
            self._show_row(index + 1, focused=False)
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

    def _saved(self, decision: Decision | None) -> None:
        """Show a decision that the log has put on disk."""
        if decision is None:
            return
        unit = (decision.document, decision.start, decision.end)
        if decision.action in ("label", "exclude"):
            self.decided_here.add(unit)
        elif decision.action in ("clear", "mark"):
            # Undecided again (an undo, a flag left on an un-excluded sentence).
            self.decided_here.discard(unit)
        uptake = self.session.suggestion_uptake()
        self.say(
            f"✓ saved: {describe_line(decision)} · {len(self.decided_here)} decided this session · "
            + (f"{uptake} · " if uptake else "")
            + self.log_name
        )

    def session_summary(self) -> str:
        decided, total = self.session.progress()
        if self.session.log.left_empty:
            return f"Nothing decided, so no log was made ({self.log_name} is not there)."
        return (
            f"All saved: {counted(len(self.decided_here), 'sentence')} decided this session; "
            f"{decided}/{total} sentences decided in {self.log_name}."
        )

    def say(self, message: str, *, error: bool = False, passing: bool = False) -> None:
        """One line in the status bar; errors in red, with the bell. A ``passing``
        message (a search that found nothing, the end of the list) is about where the
        cursor was: the next move clears it (``clear_passing``)."""
        self.passing_message = passing
        # Messages quote file names, search text, errors: input, shown safely.
        message = terminal_safe(message, keep_newlines=False)
        text = Text(message, style="bold red" if error else "", no_wrap=True, overflow="ellipsis")
        self.query_one("#status", Static).update(text, layout=False)
        if error:
            self.app.bell()
            self.notify(message, severity="error", timeout=8)

    def clear_passing(self) -> None:
        """After a move: a message about where the cursor was no longer holds."""
        if self.passing_message:
            self.say("")

    def redraw_turn(self) -> None:
        """Draw the current turn afresh: its sentences (a merge, a split) or their
        suggestions (a new model) changed, not only their decisions."""
        self.query_one(TranscriptView).shown = None
        self.redraw(full=True)

    def show_progress(self, message: str, done: int = 0, total: int | None = None) -> None:
        """What the background work is doing, on the bar under the header and in the
        header itself; an empty ``message`` hides the bar (the work is over)."""
        self.loading_message = message
        bar = self.query_one("#loading", ProgressBar)
        bar.display = bool(message)
        if message:
            bar.update(total=total, progress=done)
        self._header()

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


def describe_line(line: Decision) -> str:
    """What a log line recorded, in a few words for the status line."""
    extras = (" · flagged" if line.flag else "") + (" · note" if line.note else "")
    if line.action == "label":
        return (", ".join(line.labels) or "no label") + extras
    if line.action == "exclude":
        return "not speech (excluded)" + extras
    if line.action == "revert":
        return "boundary restored"
    if line.action == "merge":
        return "merged"
    if line.action == "split":
        return "split"
    return "undecided" + extras
