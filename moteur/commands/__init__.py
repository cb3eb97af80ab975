"""The body of each CLI command: settings → connectors → core → views. ``cli.py`` only parses flags."""
