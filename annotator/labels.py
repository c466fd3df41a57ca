"""labels.yaml -> LabelSet, with errors that name the file, the line and the field.

The file is read with PyYAML's safe loader, but composed into nodes first so
that every value keeps its line number: a mistake in a label set of twenty
labels must point at the line to fix, not only say "invalid".

Format::

    exclusive: false          # true = one label per sentence
    guidelines: |             # optional text for the whole task
      ...
    labels:
      - name: commitment      # required, unique (case-insensitive)
        key: "1"              # optional; 1..9 then 0 are assigned in order
        description: ...      # one line
        color: "#1f77b4"      # a Rich colour name or #rrggbb
        guidance: |           # optional longer guidance
          ...
        examples: [...]       # optional example sentences
        decision_rules: [...] # optional "if ... then ..., else ..." tests
        near_misses:          # optional sentences that are not this label
          - text: ...         # required
            because: ...      # why not
            instead: [...]    # the labels it takes ([] = no label)
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from annotator import resources
from annotator.errors import LabelErrors, LabelsError
from annotator.inputs import read_input, shown
from annotator.keys import reserved_keys
from annotator.model import Label, LabelSet, NearMiss

#: Keys the annotation screen uses to move and act; a label may not take them.
NAVIGATION_KEYS: frozenset[str] = frozenset(
    {
        *"jkuUxnfmsgq?/",
        "space",
        "enter",
        "escape",
        "tab",
        "up",
        "down",
        "left",
        "right",
        "pageup",
        "pagedown",
        "home",
        "end",
    }
)


def navigation_keys() -> frozenset[str]:
    """Every key a label may not take: the list above plus the annotation screen's
    own key table (``annotator.keys``), so a new screen action is protected too."""
    return NAVIGATION_KEYS | reserved_keys()


#: Keys handed out, in this order, to labels that do not choose one.
DEFAULT_KEYS: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")

#: A labels file larger than this is not a label set (and would be slow to read).
MAX_LABELS_BYTES = 16 << 20
_TOP_FIELDS = ("labels", "exclusive", "guidelines")
_LABEL_FIELDS = (
    "name",
    "key",
    "description",
    "color",
    "guidance",
    "examples",
    "decision_rules",
    "near_misses",
    "group",
)
_NEAR_MISS_FIELDS = ("text", "because", "instead")
_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class _Where:
    """The file and label a message is about, so every error reads the same way."""

    path: str
    label: str | None = None

    def error(self, node: yaml.Node | None, message: str, field: str | None = None) -> LabelsError:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        parts = [f"{self.path}{line}"]
        if self.label is not None:
            parts.append(f"label {self.label!r}")
        if field is not None:
            parts.append(f"field {field!r}")
        parts.append(message)
        return LabelsError(": ".join(parts))


def load_labels(path: str | Path | None = None) -> LabelSet:
    """Read and validate a labels.yaml; ``None`` reads the shipped label set.

    Raises ``LabelsError`` whose message starts ``FILE:LINE:`` and names the
    label and the field at fault.
    """
    file = Path(path) if path is not None else resources.default_labels_path()
    where = _Where(shown(file))
    data = read_input(file, LabelsError, what="labels file", limit=MAX_LABELS_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LabelsError(
            f"{shown(file)}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    return parse_labels(text, source=shown(file), where=where)


def parse_labels(text: str, source: str = "labels.yaml", where: _Where | None = None) -> LabelSet:
    """Validate the text of a labels.yaml (``source`` names it in messages)."""
    where = where or _Where(source)
    root = _compose(text, where)
    if root is None:
        raise where.error(None, "the file is empty; it needs a 'labels:' list")
    if not isinstance(root, yaml.MappingNode):
        raise where.error(root, "expected a mapping with 'labels:' at the top level")
    fields = _mapping(root, where, _TOP_FIELDS)
    if "labels" not in fields:
        raise where.error(root, "missing; add a 'labels:' list", field="labels")
    labels_node = fields["labels"][1]
    if not isinstance(labels_node, yaml.SequenceNode):
        raise where.error(labels_node, "must be a list of labels", field="labels")
    if not labels_node.value:
        raise where.error(labels_node, "the label set is empty; add at least one label", "labels")

    # Every label is checked, so that one run lists every error in the file.
    errors: list[LabelsError] = []
    exclusive = False
    guidelines = ""
    try:
        if "exclusive" in fields:
            exclusive = _scalar(fields["exclusive"][1], where, "exclusive", bool)
        if "guidelines" in fields:
            guidelines = _text(fields["guidelines"][1], where, "guidelines").strip()
    except LabelsError as error:
        errors.append(error)
    raw: list[_RawLabel] = []
    for node in labels_node.value:
        try:
            raw.append(_read_label(node, where))
        except LabelsError as error:
            errors.append(error)
    labels: list[Label] = []
    messages = [str(error) for error in errors]
    try:
        labels = _assign_keys(raw, where)
    except LabelErrors as found:
        messages += found.messages
    except LabelsError as error:
        messages.append(str(error))
    if messages:
        raise LabelErrors(messages)
    return LabelSet(labels=tuple(labels), exclusive=exclusive, guidelines=guidelines, source=source)


@dataclass(frozen=True)
class _RawLabel:
    """A label as read, before default keys are handed out."""

    node: yaml.Node
    name: str
    key: str | None
    key_node: yaml.Node | None
    description: str
    color: str
    guidance: str
    examples: tuple[str, ...]
    decision_rules: tuple[str, ...] = ()
    near_misses: tuple[tuple[NearMiss, yaml.Node | None], ...] = ()
    group: str = ""


def _read_label(node: yaml.Node, file: _Where) -> _RawLabel:
    if not isinstance(node, yaml.MappingNode):
        raise file.error(node, "each label must be a mapping with at least 'name:'")
    # Find the name first so that every later message can say which label it is about.
    named = [v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == "name"]
    if not named:
        raise file.error(node, "missing; every label needs a name", field="name")
    name_node = named[0]
    name = " ".join(_text(name_node, file, "name").split())
    if not name:
        raise file.error(name_node, "must not be empty", field="name")
    where = _Where(file.path, name)
    fields = _mapping(node, where, _LABEL_FIELDS)

    key: str | None = None
    key_node: yaml.Node | None = None
    if "key" in fields:
        key_node = fields["key"][1]
        key = _read_key(key_node, where)

    description = ""
    if "description" in fields:
        value_node = fields["description"][1]
        description = _text(value_node, where, "description").strip()
        if "\n" in description:
            raise where.error(
                value_node, "must be one line; put longer text in 'guidance'", "description"
            )

    color = "#888888"
    if "color" in fields:
        value_node = fields["color"][1]
        color = _text(value_node, where, "color").strip()
        if not _is_color(color):
            raise where.error(
                value_node,
                f"{color!r} is not a colour; use #rrggbb or a colour name such as 'red'",
                "color",
            )

    guidance = ""
    if "guidance" in fields:
        guidance = _text(fields["guidance"][1], where, "guidance").strip()

    examples: tuple[str, ...] = ()
    if "examples" in fields:
        examples = _examples(fields["examples"][1], where)

    rules: tuple[str, ...] = ()
    if "decision_rules" in fields:
        rules = _texts(fields["decision_rules"][1], where, "decision_rules", "decision rules")

    near_misses: tuple[tuple[NearMiss, yaml.Node | None], ...] = ()
    if "near_misses" in fields:
        near_misses = _near_misses(fields["near_misses"][1], where)

    group = ""
    if "group" in fields:
        group = " ".join(_text(fields["group"][1], where, "group").split())

    return _RawLabel(
        node,
        name,
        key,
        key_node,
        description,
        color,
        guidance,
        examples,
        rules,
        near_misses,
        group,
    )


def _read_key(node: yaml.Node, where: _Where) -> str:
    """One printable key, or two (a chord: the first key, then the second)."""
    if not isinstance(node, yaml.ScalarNode):
        raise where.error(node, "must be a single key such as '1' or 'c'", "key")
    # An unquoted 1 is read as text: YAML would make it an int, but to the user it is a key.
    key = str(node.value)
    lowered = key.lower()
    reserved = navigation_keys()
    if key in reserved or (len(key) > 1 and lowered in reserved) or key == " ":
        shown = "space" if key == " " else key
        message = f"{shown!r} is a navigation key (the annotation screen uses it); choose another"
        raise where.error(node, message, "key")
    if len(key) == 2 and key[0] in reserved:
        message = (
            f"{key!r} starts with {key[0]!r}, a navigation key; a chord must start with a "
            "key no action uses"
        )
        raise where.error(node, message, "key")
    if len(key) not in (1, 2) or not key.isprintable() or " " in key:
        raise where.error(
            node,
            f"{key!r} is not a key: give one printable key ('c') or two for a chord ('d1')",
            "key",
        )
    return key


def _assign_keys(raw: list[_RawLabel], file: _Where) -> list[Label]:
    """The labels with their keys (given, or the next free default); every duplicate
    name or key and every near miss naming no label is reported, all at once."""
    problems: list[LabelsError] = []
    seen_names: dict[str, _RawLabel] = {}
    seen_keys: dict[str, _RawLabel] = {}
    for label in raw:
        folded = label.name.casefold()
        if folded in seen_names:
            first = seen_names[folded].node.start_mark.line + 1
            problems.append(
                _Where(file.path, label.name).error(
                    label.node, f"duplicate name (first defined on line {first})", "name"
                )
            )
        else:
            seen_names[folded] = label
        if label.key is not None:
            if label.key in seen_keys:
                other = seen_keys[label.key]
                problems.append(
                    _Where(file.path, label.name).error(
                        label.key_node,
                        f"key {label.key!r} is already used by label {other.name!r}"
                        f" (line {other.node.start_mark.line + 1})",
                        "key",
                    )
                )
            else:
                seen_keys[label.key] = label

    for label in raw:
        for near_miss, instead_node in label.near_misses:
            unknown = [n for n in near_miss.instead or () if n.casefold() not in seen_names]
            if unknown:
                problems.append(
                    _Where(file.path, label.name).error(
                        instead_node,
                        f"near miss {near_miss.text[:40]!r}: no label named {unknown[0]!r}",
                        "near_misses",
                    )
                )
    if problems:
        raise LabelErrors([str(problem) for problem in problems])

    free = iter(key for key in DEFAULT_KEYS if key not in seen_keys)
    labels = []
    for label in raw:
        key = label.key
        if key is None:
            # Beyond the ten number keys a label has no key: ``l`` (pick a label) and the
            # command palette reach it, so a codebook may have any number of labels.
            key = next(free, None) or ""
        labels.append(
            Label(
                name=label.name,
                key=key,
                description=label.description,
                color=label.color,
                guidance=label.guidance,
                examples=label.examples,
                decision_rules=label.decision_rules,
                near_misses=tuple(
                    NearMiss(
                        m.text,
                        m.because,
                        None
                        if m.instead is None
                        else tuple(seen_names[n.casefold()].name for n in m.instead),
                    )
                    for m, _ in label.near_misses
                ),
                group=label.group,
            )
        )
    # A chord's first key waits for a second: no label may have it as its own key.
    single = {done.key: done for done in labels if len(done.key) == 1}
    for done, read in zip(labels, raw, strict=True):
        if done.chord and done.key[0] in single:
            owner = single[done.key[0]]
            raise _Where(file.path, done.name).error(
                read.key_node,
                f"chord {done.key!r} starts with {done.key[0]!r}, the key of label "
                f"{owner.name!r}; a chord must start with a key no label has",
                "key",
            )
    return labels


def _compose(text: str, where: _Where) -> yaml.Node | None:
    """Parse to a node tree (safe: nodes are never turned into Python objects)."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        # libyaml composes the shipped label set 30 times faster (45 ms of every start);
        # on any trouble the pure-Python loader below reads it again for its messages.
        try:
            return yaml.compose(text, Loader=fast)
        except (yaml.YAMLError, RecursionError, ValueError):
            pass
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = error.problem or error.context or "invalid YAML"
        raise LabelsError(f"{where.path}{line}: invalid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise LabelsError(f"{where.path}: invalid YAML: {error}") from None
    except RecursionError:
        raise LabelsError(
            f"{where.path}: invalid YAML: nested too deeply to be a label set"
        ) from None


def _mapping(
    node: yaml.MappingNode, where: _Where, allowed: tuple[str, ...]
) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """Fields of a mapping by name; unknown and repeated fields are errors."""
    fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise where.error(key_node, "field names must be plain words")
        name = str(key_node.value)
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
            raise where.error(key_node, f"unknown field{hint}", name)
        if name in fields:
            first = fields[name][0].start_mark.line + 1
            raise where.error(key_node, f"given twice (first on line {first})", name)
        fields[name] = (key_node, value_node)
    return fields


def _scalar(node: yaml.Node, where: _Where, field: str, kind: type[bool]) -> bool:
    if isinstance(node, yaml.ScalarNode):
        value = yaml.SafeLoader("").construct_object(node)
        if isinstance(value, kind):
            return value
    raise where.error(node, "must be true or false", field)


def _text(node: yaml.Node, where: _Where, field: str) -> str:
    # Numbers and other plain scalars are accepted as the text the user typed.
    if not isinstance(node, yaml.ScalarNode):
        raise where.error(node, "must be text", field)
    if node.tag == "tag:yaml.org,2002:null" or (node.value == "" and node.style is None):
        return ""
    return str(node.value)


def _examples(node: yaml.Node, where: _Where) -> tuple[str, ...]:
    if isinstance(node, yaml.ScalarNode):
        text = _text(node, where, "examples").strip()
        return (text,) if text else ()
    if not isinstance(node, yaml.SequenceNode):
        raise where.error(node, "must be a list of example sentences", "examples")
    examples = []
    for item in node.value:
        text = _text(item, where, "examples").strip()
        if text:
            examples.append(text)
    return tuple(examples)


def _texts(node: yaml.Node, where: _Where, field: str, what: str) -> tuple[str, ...]:
    """A list of one-paragraph texts (a single text is a list of one)."""
    if isinstance(node, yaml.ScalarNode):
        text = " ".join(_text(node, where, field).split())
        return (text,) if text else ()
    if not isinstance(node, yaml.SequenceNode):
        raise where.error(node, f"must be a list of {what}", field)
    found = []
    for item in node.value:
        text = " ".join(_text(item, where, field).split())
        if text:
            found.append(text)
    return tuple(found)


def _near_misses(node: yaml.Node, where: _Where) -> tuple[tuple[NearMiss, yaml.Node | None], ...]:
    if not isinstance(node, yaml.SequenceNode):
        raise where.error(node, "must be a list of near misses (each with 'text:')", "near_misses")
    found: list[tuple[NearMiss, yaml.Node | None]] = []
    for item in node.value:
        if isinstance(item, yaml.ScalarNode):
            text = " ".join(_text(item, where, "near_misses").split())
            if text:
                found.append((NearMiss(text), None))
            continue
        if not isinstance(item, yaml.MappingNode):
            raise where.error(item, "each near miss must be a sentence or a mapping", "near_misses")
        fields = _mapping(item, where, _NEAR_MISS_FIELDS)
        if "text" not in fields:
            raise where.error(item, "a near miss needs 'text:' (the sentence)", "near_misses")
        text = " ".join(_text(fields["text"][1], where, "near_misses").split())
        if not text:
            raise where.error(
                fields["text"][1], "a near miss's text must not be empty", "near_misses"
            )
        because = ""
        if "because" in fields:
            because = " ".join(_text(fields["because"][1], where, "near_misses").split())
        instead: tuple[str, ...] | None = None
        instead_node: yaml.Node | None = None
        if "instead" in fields:
            instead_node = fields["instead"][1]
            instead = _texts(instead_node, where, "near_misses", "label names")
        found.append((NearMiss(text, because, instead), instead_node))
    return tuple(found)


def _is_color(value: str) -> bool:
    """A #rrggbb colour or a colour name the screen can draw (the terminal library's
    names, read from it so that the two never disagree)."""
    if value.startswith("#"):
        return _HEX_COLOR.fullmatch(value) is not None
    from rich.color import ANSI_COLOR_NAMES

    return value.lower() in ANSI_COLOR_NAMES
