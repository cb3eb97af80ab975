"""``make bench``: run every scenario and print one JSON line each, then a table."""

from __future__ import annotations

from benchmarks.scenarios import main

if __name__ == "__main__":
    raise SystemExit(main())
