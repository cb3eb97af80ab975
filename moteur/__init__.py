"""moteur: turn a team's boards into an execution engine."""

# The one version: the wheel's metadata reads it (pyproject's [tool.setuptools.dynamic]), ``moteur --version``
# prints it and the JSON outputs carry it next to their ``format_version``. A plain string literal, so that
# setuptools reads it without importing moteur.
__version__ = "0.1.0"
