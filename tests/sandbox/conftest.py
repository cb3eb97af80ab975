"""The sandbox fixtures (``sandbox``, ``sandbox_server``, ``trello_auth``) live in ``tests/conftest.py``.

``tests/connectors`` shares the same session server; nothing sandbox-specific is needed here.
"""
