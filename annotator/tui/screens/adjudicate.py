"""The adjudication screen: the annotation screen over disputed sentences, with every
analyst's labels and notes beside the focused one.

``A``, ``B``, ``C`` ... take that analyst's labels as the gold decision and move
on; the label keys set the adjudicator's own. Decisions go to the gold log, an
ordinary log written under the annotator id ``gold``.
"""

from __future__ import annotations

import string

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from annotator.adjudication import Adjudication
from annotator.keys import reserved_keys
from annotator.log import Decision
from annotator.model import LabelSet
from annotator.printable import terminal_safe
from annotator.session import AnnotationSession
from annotator.tui.chips import chip
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.textual_private import add_binding


def take_keys(labels: LabelSet, keymap: dict[str, str]) -> str:
    """Capital letters that take an analyst's labels, in annotator order: every one no
    action (by default or as remapped in annotator.toml) and no label's key uses."""
    # A label's key, or a chord's first key (``D1`` would shadow ``D``).
    used = set(reserved_keys()) | {label.key[:1] for label in labels.labels}
    for keys in keymap.values():
        used.update(keys.split(","))
    return "".join(letter for letter in string.ascii_uppercase if letter not in used)


class AdjudicateScreen(AnnotateScreen):
    """Settle disagreements one sentence at a time."""

    def __init__(
        self,
        session: AnnotationSession,
        log_name: str,
        adjudication: Adjudication,
        keymap: dict[str, str] | None = None,
    ):
        super().__init__(session, log_name)
        self.adjudication = adjudication
        self.keys = take_keys(session.labels, keymap or {})
        self.analysts = adjudication.annotators[: len(self.keys)]
        #: Analysts beyond the free letters: their labels are shown but have no key.
        self.keyless = adjudication.annotators[len(self.keys) :]
        for index, name in enumerate(self.analysts):
            binding = Binding(
                self.keys[index], f"take({index})", f"take {name}", show=False, id=f"take.{name}"
            )
            add_binding(self, binding)

    def compose_extra(self) -> ComposeResult:
        yield Static(id="codings")

    def on_mount(self) -> None:
        # Textual also runs the annotation screen's on_mount; speak after it.
        self.call_after_refresh(self._introduce)

    def _introduce(self) -> None:
        total = len(self.adjudication.disputes)
        note = (
            f" ({self.adjudication.unplaced} could not be placed)"
            if self.adjudication.unplaced
            else ""
        )
        self.say(
            f"{total} disputed sentences{note}. "
            f"{'/'.join(self.keys[: len(self.analysts)])} take an analyst's labels; "
            f"gold log: {self.log_name}"
        )
        if self.keyless:
            self.notify(
                terminal_safe(
                    f"{len(self.keyless)} analysts have no take key (no capital letter is "
                    f"free): {', '.join(self.keyless)}; set their labels with the label keys"
                ),
                severity="warning",
                timeout=15,
                markup=False,
            )
        for warning in self.adjudication.warnings:
            self.notify(terminal_safe(warning), severity="warning", timeout=15, markup=False)

    def sentence_focused(self) -> None:
        span = self.session.sentence
        if span is None:
            return
        dispute = self.adjudication.dispute(self.session.document.id, span.start, span.end)
        by_name = {label.name: label for label in self.session.labels.labels}
        text = Text()
        for index, name in enumerate(self.adjudication.annotators):
            coding = dispute.coding_of(name) if dispute else None
            key = self.keys[index] if index < len(self.analysts) else "·"
            text.append(f" {key} ", style="bold reverse")
            text.append(f" {terminal_safe(name, keep_newlines=False):<12} ", style="bold")
            if coding is None:
                text.append("did not code this sentence", style="dim italic")
            elif not coding.labels:
                text.append(" no label ", style="italic reverse dim")
            for label_name in coding.labels if coding else ():
                label = by_name.get(label_name)
                text.append_text(
                    chip(label)
                    if label
                    else Text(f" {terminal_safe(label_name)} ", style="reverse")
                )
                text.append(" ")
            if coding is not None and coding.flag:
                text.append(" ⚑ flagged", style="bold yellow")
            if coding is not None and coding.note:
                text.append("  ✎ ", style="dim")
                text.append(terminal_safe(coding.note), style="italic")
            text.append("\n")
        text.rstrip()
        self.query_one("#codings", Static).update(text)

    def _saved(self, decision: Decision | None) -> None:
        """As the annotation screen says it, and once the last dispute is settled, so."""
        super()._saved(decision)
        settled, total = self.session.progress()
        if decision is not None and total and settled == total:
            self.say(
                f"✓ All {total} disputed sentences are settled, in {self.log_name}. "
                "q quits; 'annotator export LOG... --gold' writes the team's dataset."
            )

    def action_take(self, index: int) -> None:
        span = self.session.sentence
        if span is None or not 0 <= index < len(self.analysts):
            return
        dispute = self.adjudication.dispute(self.session.document.id, span.start, span.end)
        coding = dispute.coding_of(self.analysts[index]) if dispute else None
        if coding is None:
            self.say(f"{self.analysts[index]} did not code this sentence.")
            return
        ok, decision = self._guarded(lambda: self.session.decide(tuple(coding.labels)))
        if ok:
            self._after_decision(decision, moved=True)
