"""The Trello REST v1 emulator (see :mod:`moteur.sandbox.trello.emulator`)."""

from moteur.sandbox.trello.emulator import TrelloEmulator

__all__ = ["TrelloEmulator"]
