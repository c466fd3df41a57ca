"""SVG snapshots of the main screens (pytest-textual-snapshot; textual is pinned exactly).

Regenerate after an intended change of the look with
``pytest tests/tui/test_snapshots.py --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations


def test_main_screen(snap_compare, make_app, sample) -> None:  # type: ignore[no-untyped-def]
    app = make_app([sample])
    assert snap_compare(app, press=["1", "2", "enter", "x", "f"], terminal_size=(130, 40))


def test_help_screen(snap_compare, make_app, sample) -> None:  # type: ignore[no-untyped-def]
    app = make_app([sample])
    assert snap_compare(app, press=["question_mark"], terminal_size=(100, 36))


def test_narrow_terminal(snap_compare, make_app, sample) -> None:  # type: ignore[no-untyped-def]
    app = make_app([sample])
    assert snap_compare(app, press=["4", "down"], terminal_size=(80, 24))


def test_wide_terminal(snap_compare, make_app, sample) -> None:  # type: ignore[no-untyped-def]
    """200×50: a readable transcript measure, every label on one line with its count."""
    app = make_app([sample])

    async def label_then_wait(pilot):  # type: ignore[no-untyped-def]
        await pilot.press("1", "enter", "3", "e")
        # The turn list's counts are refreshed 0.4 s after a keystroke: wait for them,
        # so the picture never depends on how fast the machine pressed the keys.
        await pilot.pause(0.6)

    assert snap_compare(app, terminal_size=(200, 50), run_before=label_then_wait)


def test_label_picker_over_a_large_codebook(  # type: ignore[no-untyped-def]
    snap_compare, make_app, sample
) -> None:
    """60 labels, ten with keys: the panel says how many are out of sight; ``l`` picks."""
    from test_navigation_and_codebooks import big_codebook

    app = make_app([sample], label_set=big_codebook())
    assert snap_compare(app, press=["l", *"topic 4"], terminal_size=(120, 40))
