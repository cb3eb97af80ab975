"""moteur: turn a team's boards into an execution engine."""

__version__ = "0.1.0"
