"""The safety rules every connector shares, as pure functions: create once after an ambiguous write
(``connectors/create_once.py``) and paging with a loop guard (``connectors/paging.py``). Each connector's
use of them is exercised over the sandbox by its own tests (the commit-then-drop fault of the soak, the
paging tests of the conformance suite)."""

from __future__ import annotations

import pytest

from moteur.connectors.create_once import CREATE_TRIES, create_once, ensure_once
from moteur.connectors.http import AmbiguousWrite
from moteur.connectors.paging import Pages, PagingLoop
from moteur.core.errors import RemoteError


class Remote:
    """A service whose creates fail ambiguously ``drops`` times, each one applied (``commit``) or not."""

    def __init__(self, drops: int, *, commit: bool) -> None:
        self.drops, self.commit = drops, commit
        self.objects: list[str] = []
        self.sends = self.lookups = 0

    def create(self) -> str:
        self.sends += 1
        name, dropped = f"obj{self.sends}", self.drops > 0
        if self.commit or not dropped:
            self.objects.append(name)
        if dropped:
            self.drops -= 1
            raise AmbiguousWrite("connection dropped after sending")
        return name

    def find(self) -> str | None:
        self.lookups += 1
        return self.objects[-1] if self.objects else None


def test_a_create_that_lands_is_sent_once_and_never_looked_up() -> None:
    remote = Remote(0, commit=True)
    assert create_once(remote.create, remote.find) == "obj1"
    assert (remote.sends, remote.lookups, remote.objects) == (1, 0, ["obj1"])


def test_commit_then_drop_is_found_by_the_look_up_and_not_sent_again() -> None:
    remote = Remote(1, commit=True)
    assert create_once(remote.create, remote.find) == "obj1"
    assert (remote.sends, remote.lookups, remote.objects) == (1, 1, ["obj1"])  # no duplicate


def test_a_drop_before_the_commit_is_sent_again_after_a_look_up() -> None:
    remote = Remote(2, commit=False)
    assert create_once(remote.create, remote.find) == "obj3"
    assert (remote.sends, remote.lookups, remote.objects) == (3, 2, ["obj3"])


def test_every_send_dropped_raises_the_last_ambiguous_failure() -> None:
    remote = Remote(99, commit=False)
    with pytest.raises(AmbiguousWrite):
        create_once(remote.create, remote.find)
    assert remote.sends == remote.lookups == CREATE_TRIES and remote.objects == []


def test_ensure_once_is_create_once_for_creates_that_record_what_they_make() -> None:
    made: list[str] = []

    def create() -> None:
        made.append("label")
        if len(made) == 1:
            raise AmbiguousWrite("committed, then dropped")

    ensure_once(create, lambda: bool(made))
    assert made == ["label"]


def test_pages_follow_tokens_until_there_is_none() -> None:
    pages = Pages("Asana", "tasks of project 1", token_name="offset")
    assert pages.token is None and not pages.done
    assert pages.advance("a") and pages.token == "a"
    assert pages.advance("b") and pages.token == "b"
    assert not pages.advance(None) and pages.done and pages.token is None


def test_a_token_seen_twice_raises_naming_the_tool_and_what_was_read() -> None:
    pages = Pages("monday.com", "board 7", token_name="cursor")
    pages.advance("c1")
    pages.advance("c2")
    with pytest.raises(PagingLoop) as caught:
        pages.advance("c1")
    assert isinstance(caught.value, RemoteError)  # a remote failure: the run reports it, exit 1
    said = str(caught.value)
    assert "monday.com paging of board 7 did not advance (the same cursor came back twice)" in said
