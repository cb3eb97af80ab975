"""What every HTTP connector says about its traffic, in one place: requests sent, retries, and closing."""

from __future__ import annotations

from moteur.connectors.http import HttpClient, HttpStats
from moteur.core.ports import Connector


class HttpBacked(Connector):
    """Base of the Trello, Asana and monday connectors: they all talk through one ``HttpClient``."""

    http: HttpClient

    def request_count(self) -> int:
        return self.http.stats().requests

    def retried_count(self) -> int:
        return self.http.stats().retries

    def stats(self) -> HttpStats:
        return self.http.stats()

    def close(self) -> None:
        self.http.close()
