"""Paging with a loop guard: the one way every connector follows a paged answer.

*Page token*: what a service hands back to ask for the next page — Asana's ``next_page.offset``, monday's
``items_page`` cursor, the oldest card id Trello pages ``before``. A token seen twice means the service is
not advancing (a bug on its side, or a proxy replaying an answer): following it would loop forever, so
``Pages.advance`` raises ``PagingLoop`` instead, naming the tool and what was read.
"""

from __future__ import annotations

from moteur.core.errors import RemoteError


class PagingLoop(RemoteError):
    """A page token came back twice: the service's paging does not advance."""


class Pages:
    """The page tokens of one paged read. ``token`` is the one to ask with next (None before the first)."""

    def __init__(self, service: str, what: str, *, token_name: str = "page token") -> None:
        self.service, self.what, self.token_name = service, what, token_name
        self.token: str | None = None
        self.done = False
        self._seen: set[str] = set()

    def advance(self, token: str | None) -> bool:
        """Take the next token; False (and ``done``) when there is none: the last page was read."""
        if not token:
            self.token, self.done = None, True
            return False
        if token in self._seen:
            again = f"the same {self.token_name} came back twice"
            raise PagingLoop(
                f"{self.service} paging of {self.what} did not advance ({again})",
                hint="retry; report it if it lasts",
            )
        self._seen.add(token)
        self.token = token
        return True
