"""The window's navigator, without Qt: what opens after the courses load, after a column moves
or goes, and when a connection finishes opening."""

from __future__ import annotations

from datetime import UTC, datetime

from gradedesk.store import ConnectionRow, LineItemRow
from gradedesk.store.rows import ConnectionKind
from gradedesk.ui.loaders import Overview
from gradedesk.ui.navigation import Navigator, NavTarget

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _connection(row_id: int, name: str) -> ConnectionRow:
    return ConnectionRow(row_id, name, ConnectionKind.LTI, {}, NOW)


def _item(row_id: int, connection_id: int, url: str, label: str) -> LineItemRow:
    return LineItemRow(row_id, connection_id, url, label, 10.0, {}, "", NOW, None)


def _overview(*items: LineItemRow) -> Overview:
    return Overview((_connection(1, "bio"), _connection(2, "chem")),
                    {1: tuple(i for i in items if i.connection_id == 1),
                     2: tuple(i for i in items if i.connection_id == 2)})


LAB = _item(10, 1, "https://p.example/li/10", "Lab 1")
QUIZ = _item(11, 1, "https://p.example/li/11", "Quiz")
TEST = _item(20, 2, "https://p.example/li/20", "Test")


def test_the_first_overview_opens_the_last_sessions_view_then_never_again() -> None:
    navigator = Navigator(saved=NavTarget("chem", TEST.url))
    overview = _overview(LAB, QUIZ, TEST)
    previous = navigator.follow(overview, None, in_gradebook=False)
    assert navigator.choose(previous, want_line_item=True) == NavTarget("chem", TEST.url)
    assert navigator.go(NavTarget("bio", QUIZ.url), force=False)
    # A later overview (a pull) keeps what the grader opened since.
    previous = navigator.follow(overview, QUIZ.id, in_gradebook=False)
    assert navigator.choose(previous, want_line_item=True) == NavTarget("bio", QUIZ.url)


def test_a_requested_connection_wins_and_a_hint_picks_its_line_item() -> None:
    navigator = Navigator(saved=NavTarget("bio", LAB.url))
    navigator.requested = NavTarget("bio")
    navigator.line_item_hint = "quiz"
    previous = navigator.follow(_overview(LAB, QUIZ, TEST), None, in_gradebook=False)
    assert navigator.choose(previous, want_line_item=True) == NavTarget("bio", QUIZ.url)
    assert navigator.requested is None


def test_a_column_that_got_its_platform_id_is_followed_and_a_deleted_one_lets_go() -> None:
    navigator = Navigator()
    navigator.follow(_overview(LAB, QUIZ), None, in_gradebook=False)
    local = _item(12, 1, "local:column/12", "Oral exam")
    assert navigator.go(NavTarget("bio", local.url), force=True)
    moved = _item(12, 1, "https://p.example/li/12", "Oral exam")
    assert navigator.follow(_overview(LAB, moved), 12, in_gradebook=False) == \
        NavTarget("bio", moved.url)
    assert navigator.follow(_overview(LAB), 12, in_gradebook=False) == NavTarget("bio")


def test_in_the_gradebook_a_vanished_column_does_not_pull_the_view_away() -> None:
    navigator = Navigator()
    navigator.follow(_overview(LAB, QUIZ), None, in_gradebook=True)
    navigator.go(NavTarget("bio", QUIZ.url), force=True)
    previous = navigator.follow(_overview(LAB), QUIZ.id, in_gradebook=True)
    assert previous == navigator.current == NavTarget("bio")
    assert not navigator.go(NavTarget("bio"), force=False)


def test_a_target_waits_for_its_connection_and_is_handed_over_once() -> None:
    navigator = Navigator()
    navigator.wait_for_connection(NavTarget("chem", TEST.url))
    assert navigator.connection_opened("bio") is None
    assert navigator.connection_opened("chem") == NavTarget("chem", TEST.url)
    assert navigator.connection_opened("chem") is None


def test_starting_over_reopens_even_what_looks_shown() -> None:
    navigator = Navigator()
    navigator.follow(_overview(LAB), None, in_gradebook=False)
    navigator.go(NavTarget("bio", LAB.url), force=True)
    navigator.start_over_at("bio")
    assert navigator.current is None
    assert navigator.go(NavTarget("bio", LAB.url), force=False)
    assert navigator.first_line_item(1, "bio") == NavTarget("bio", LAB.url)
    assert navigator.first_line_item(2, "chem") is None
