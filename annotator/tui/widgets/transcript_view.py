"""The transcript as a conversation: the current turn sentence by sentence, neighbours dimmed.

A Line API widget (as toolong's ``LogLines``): the current turn and a little
of its neighbours are laid out as blocks of wrapped lines, each block rendered
once and cached as strips. A keystroke re-renders only the blocks it changed
(the sentence just labelled, the old and new cursor) and repaints their lines,
so the cost of a keystroke does not grow with the turn, the document or the
corpus. Text goes in as ``rich.text.Text`` built with ``append``: transcript
text is data and is never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.model import Document, LabelSet, Span, Turn, turn_units
from annotator.printable import terminal_safe
from annotator.tui.chips import chip
from annotator.tui.messages import SentenceClicked
from annotator.tui.widgets.scrolling import set_scroll_size

if TYPE_CHECKING:
    from annotator.log import Decision
    from annotator.suggest import Suggestion

CONTEXT_SENTENCES = 2
GUTTER = 6


def plain(text: str) -> str:
    """Text from input for the screen: whitespace runs collapsed, control codes shown."""
    return terminal_safe(" ".join(text.split()))


def suggestion_text(suggestion: Suggestion, labels: LabelSet | None) -> Text:
    """The model's labels as dimmed chips with their scores (``a`` or Enter accepts)."""
    text = Text()
    text.append("model: ", style="dim italic")
    by_name = {label.name: label for label in labels.labels} if labels else {}
    if not suggestion.labels:
        text.append(" no label ", style="dim italic reverse")
        if suggestion.scores:
            # The closest call, so the analyst sees how near the model came.
            best = max(suggestion.scores, key=suggestion.scores.__getitem__)
            text.append(f"  ({best} {suggestion.scores[best]:.2f})", style="dim")
    for name in suggestion.labels:
        label = by_name.get(name)
        text.append_text(chip(label, dim=True) if label else Text(f" {name} ", style="dim"))
        text.append(f" {suggestion.scores.get(name, 0.0):.2f}  ", style="dim")
    return text


@dataclass
class Block:
    """One stretch of the view: a heading, a note, a context paragraph or a sentence."""

    kind: str  # blank | speaker | context | note | sentence
    text: Text
    sentence: int = -1  # index among the turn's sentences, for kind == "sentence"
    number: int = 0
    span: Span | None = None
    strips: list[Strip] | None = None
    top: int = 0


#: The preamble shown above a document's first turn: at most this many characters.
PREAMBLE_CHARS = 600


def preamble_text(preamble: str, title: str = "") -> str:
    """A document's preamble as shown above its first turn: without a YAML front-matter
    block or the title (the header shows it), lines joined, cut at ``PREAMBLE_CHARS``."""
    text = preamble.strip()
    if text.startswith("---"):
        end = text.find("\n---", 3)
        text = text[end + 4 :] if end >= 0 else ""
    lines = [line.strip() for line in text.splitlines()]
    return _one_line(line for line in lines if line and line != title.strip())


def between_turns(document: Document, index: int) -> str:
    """The text between turn ``index`` and the one before it (``Document.between_turns``)
    on one line, cut at ``PREAMBLE_CHARS``: shown dimmed above the turn."""
    return _one_line(document.between_turns(index))


def _one_line(lines: Iterable[str]) -> str:
    """Lines joined by `` · ``, cut at a word before ``PREAMBLE_CHARS``, screen-safe."""
    text = " · ".join(lines)
    if len(text) > PREAMBLE_CHARS:
        text = text[:PREAMBLE_CHARS].rsplit(" ", 1)[0] + " …"
    return plain(text)


class TranscriptView(ScrollView, can_focus=False):
    """The current turn with its sentences; the turns before and after, dimmed."""

    COMPONENT_CLASSES = {
        "transcript--focused",
        "transcript--decided",
        "transcript--context",
        "transcript--note",
        "transcript--speaker",
    }
    DEFAULT_CSS = """
    TranscriptView > .transcript--focused { background: $boost; text-style: bold; }
    TranscriptView > .transcript--decided { color: $text-muted; }
    TranscriptView > .transcript--context { color: $text-disabled; }
    TranscriptView > .transcript--note { color: $text-disabled; text-style: italic; }
    TranscriptView > .transcript--speaker { color: $accent; text-style: bold; }
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.blocks: list[Block] = []
        self.rows: list[Block] = []  # the sentence blocks, by sentence index
        self.shown: tuple[str, int, int] | None = None  # document id, turn, sentence count
        self.focused = -1
        self._decisions: dict[int, Decision | None] = {}
        self._suggestions: dict[int, Suggestion | None] = {}
        self._labels: LabelSet | None = None
        self._lines: list[tuple[int, int]] = []  # view line -> (block, line in block)
        self._width = 0
        #: Text found by the last search, highlighted in the sentences shown.
        self.highlight = ""
        self._out_of_scope: set[int] = set()

    # --- building ----------------------------------------------------------------

    def show_turn(
        self,
        document: Document,
        turn_index: int,
        first_number: int,
        decisions: list[Decision | None],
        labels: LabelSet,
        focused: int,
        suggestions: list[Suggestion | None] | None = None,
        *,
        context: set[int] | None = None,
    ) -> bool:
        """Lay out a turn with its decisions; returns False when it is already shown.

        ``context``: sentences shown dimmed around the ones to code (a work list's,
        adjudication's disputes), which are never focused.
        """
        turn = document.turns[turn_index]
        key = (document.id, turn_index, len(turn.sentences))
        if key == self.shown and self.rows and self.rows[0].span == turn.sentences[0]:
            return False
        self.shown = key
        self._out_of_scope = context or set()
        blocks: list[Block] = []
        if turn_index > 0:
            blocks += self._context_blocks(document.turns[turn_index - 1], before=True)
            if between := between_turns(document, turn_index):
                blocks += [Block("blank", Text()), Block("note", Text(between))]
        elif preamble := preamble_text(document.preamble, document.title):
            # What came before the first speaker (title, date, a readout's opening), dimmed.
            blocks += [Block("context", Text("Before the first speaker", style="bold"))]
            blocks += [Block("context", Text(preamble))]
        heading = Text(plain(turn.speaker) or "Unknown speaker")
        heading.append(f"   turn {turn_index + 1} of {len(document.turns)}", style="dim")
        if turn.timestamp:
            heading.append(f" · {turn.timestamp}", style="dim")
        blocks += [Block("blank", Text()), Block("speaker", heading)]
        number = first_number
        sentence_index = 0
        for kind, span in turn_units(turn):
            if kind == "note":
                blocks.append(Block("note", Text(plain(span.text))))
            else:
                blocks.append(
                    Block("sentence", Text(), sentence=sentence_index, number=number, span=span)
                )
                sentence_index += 1
                number += 1
        if turn_index + 1 < len(document.turns):
            blocks += self._context_blocks(document.turns[turn_index + 1], before=False)
        self.blocks = blocks
        self.rows = [block for block in blocks if block.kind == "sentence"]
        self.focused = focused
        self._labels = labels
        self._decisions = dict(enumerate(decisions))
        self._suggestions = dict(enumerate(suggestions or []))
        self._relayout()
        self.scroll_to(y=0, animate=False, immediate=True)
        return True

    @staticmethod
    def _context_blocks(turn: Turn, *, before: bool) -> list[Block]:
        picked = (
            turn.sentences[-CONTEXT_SENTENCES:] if before else turn.sentences[:CONTEXT_SENTENCES]
        )
        text = Text()
        if before and len(turn.sentences) > CONTEXT_SENTENCES:
            text.append("… ")
        text.append(" ".join(plain(s.text) for s in picked) or plain(turn.text)[:200])
        if not before and len(turn.sentences) > CONTEXT_SENTENCES:
            text.append(" …")
        speaker = Text(plain(turn.speaker) or "Unknown speaker", style="bold")
        return [Block("blank", Text()), Block("context", speaker), Block("context", text)]

    def set_highlight(self, query: str) -> None:
        """Highlight ``query`` in the sentences (the last search); "" for none."""
        if query != self.highlight:
            self.highlight = query
            self.shown = None  # lay the turn out again with the new highlight

    # --- sentences ----------------------------------------------------------------

    def show_decision(
        self,
        index: int,
        decision: Decision | None,
        labels: LabelSet,
        *,
        focused: bool,
        suggestion: Suggestion | None = None,
    ) -> None:
        """Redraw one sentence: its cursor, text, chips (or the model's), flag and note."""
        if not 0 <= index < len(self.rows):
            return
        self._labels = labels
        self._decisions[index] = decision
        self._suggestions[index] = suggestion
        if focused:
            self.focused = index
        elif self.focused == index:
            self.focused = -1
        block = self.rows[index]
        before = len(block.strips) if block.strips is not None else -1
        block.strips = None
        self._render_block(block)
        assert block.strips is not None
        if len(block.strips) != before:
            # The sentence gained or lost a line (many chips, a note): the blocks
            # below move, but keep their rendering.
            self._relayout(rerender=False)
        else:
            self.refresh_lines(block.top, len(block.strips))

    def focus_row(self, index: int) -> None:
        """Scroll so the focused sentence is in view, centred when it was out of view.

        A sentence already in view does not scroll: a scroll repaints the whole
        view and its scrollbar, and moving the cursor one sentence down must only
        repaint the two sentences that changed.
        """
        if not 0 <= index < len(self.rows):
            return
        block = self.rows[index]
        height = len(block.strips or [Strip.blank(1)])
        top = round(self.scroll_offset.y)
        if top <= block.top and block.top + height <= top + self.scrollable_content_region.height:
            return
        self.scroll_to_region(
            Region(0, block.top, max(1, self._width), height),
            animate=False,
            center=True,
            immediate=True,
        )

    def sentence_line(self, index: int) -> int:
        """The view line where a sentence starts (for tests and mouse handling)."""
        return self.rows[index].top

    # --- rendering ----------------------------------------------------------------

    def _sentence_text(self, block: Block) -> Text:
        assert block.span is not None
        if block.sentence in self._out_of_scope:
            # Context for the sentences to code: dimmed, no number, no chips.
            return Text("      ").append(plain(block.span.text)).append("\n")
        decision = self._decisions.get(block.sentence)
        focused = block.sentence == self.focused
        text = Text()
        text.append("▶" if focused else " ", style="bold")
        text.append(f"{block.number:>4} ", style="dim")
        body = Text(plain(block.span.text))
        if self.highlight:
            body.highlight_words([self.highlight], style="black on yellow", case_sensitive=False)
        # Every sentence keeps a line for its chips, decided or not, so labelling
        # never shifts the lines below (and never costs a new layout).
        body.append("\n")
        # ``decision`` is the sentence's last line: a decision, a flag or note on an
        # undecided sentence ("mark"), or an exclusion.
        if decision is not None and decision.decided and self._labels is not None:
            by_name = {label.name: label for label in self._labels.labels}
            if not decision.labels:
                body.append(" no label ", style="italic reverse dim")
            for name in decision.labels:
                label = by_name.get(name)
                body.append_text(chip(label) if label else Text(f" {name} ", style="reverse"))
                body.append(" ")
        elif decision is not None and decision.action == "exclude":
            body.append(" not speech ", style="italic reverse dim")
        elif (suggestion := self._suggestions.get(block.sentence)) is not None:
            body.append_text(suggestion_text(suggestion, self._labels))
        if decision is not None and decision.flag:
            body.append(" ⚑ flagged", style="bold yellow")
        if decision is not None and decision.note:
            body.append("  ✎ ", style="dim")
            body.append(plain(decision.note), style="italic dim")
        return text.append_text(body)

    def _style_for(self, block: Block) -> Style:
        if block.kind == "sentence":
            if block.sentence in self._out_of_scope:
                return self.get_component_rich_style("transcript--context")
            if block.sentence == self.focused:
                return self.get_component_rich_style("transcript--focused")
            line = self._decisions.get(block.sentence)
            if line is not None and line.decided:
                return self.get_component_rich_style("transcript--decided")
            if line is not None and line.action == "exclude":
                return self.get_component_rich_style("transcript--note")
            return Style()
        if block.kind in {"context", "note", "speaker"}:
            return self.get_component_rich_style(f"transcript--{block.kind}")
        return Style()

    def _render_block(self, block: Block) -> None:
        """Wrap a block to the view's width with a hanging indent, as cached strips."""
        width = max(GUTTER + 10, self._width)
        console = self.app.console
        base = self._style_for(block)
        if block.kind == "sentence":
            text = self._sentence_text(block)
            indent = GUTTER
        elif block.kind == "note":
            text, indent = Text(" " * GUTTER).append_text(block.text), GUTTER
        else:
            text, indent = block.text, 0
        body_width = width - indent
        if indent:
            head, rest = text[:indent], text[indent:]
            lines = rest.wrap(console, body_width)
            rendered: list[Text] = []
            for number, line in enumerate(lines):
                prefix = head if number == 0 else Text(" " * indent)
                rendered.append(Text.assemble(prefix, line))
        else:
            rendered = list(text.wrap(console, width)) or [Text()]
        strips = []
        for line in rendered:
            segments = list(line.render(console))
            strip = Strip(segments).extend_cell_length(width)
            strips.append(strip.apply_style(base) if base else strip)
        block.strips = strips or [Strip.blank(width, base)]

    def _relayout(self, *, rerender: bool = True) -> None:
        """Rebuild the line table, re-rendering every block at the current width."""
        self._width = self.scrollable_content_region.width or self.size.width
        lines: list[tuple[int, int]] = []
        for number, block in enumerate(self.blocks):
            if rerender or block.strips is None:
                self._render_block(block)
            assert block.strips is not None
            block.top = len(lines)
            lines.extend((number, i) for i in range(len(block.strips)))
        self._lines = lines
        set_scroll_size(self, Size(self._width, len(lines)))
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        for block in self.blocks:
            block.strips = None
        self._relayout()
        # The first layout (and any new width) moves the rows: keep the cursor in view.
        # Focused before the view had a size (resuming deep in a long turn), it sat
        # below the first screen with nothing to show where the analyst was.
        if self.focused >= 0:
            self.focus_row(self.focused)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        line = y + scroll_y
        if not 0 <= line < len(self._lines):
            return Strip.blank(self.size.width)
        block_index, row = self._lines[line]
        block = self.blocks[block_index]
        if block.strips is None:
            self._render_block(block)
        assert block.strips is not None
        return block.strips[row].crop(scroll_x, scroll_x + self.size.width)

    def on_click(self, event: events.Click) -> None:
        line = event.y + self.scroll_offset.y
        if 0 <= line < len(self._lines):
            block = self.blocks[self._lines[line][0]]
            if block.kind == "sentence":
                self.post_message(SentenceClicked(block.sentence))
