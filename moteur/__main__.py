"""``python -m moteur``: the same as the ``moteur`` command (e.g. where the venv's bin/ is not on PATH)."""

import sys

from moteur.cli import main

if __name__ == "__main__":  # not on import (a tool that imports every module, e.g. pydoc, runs nothing)
    sys.exit(main())
