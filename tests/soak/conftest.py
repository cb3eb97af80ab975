"""The soak's own sandbox: separate from the session's (whose faults other tests rely on being off), rate
limits off, and "slow" faults short enough that a soak costs seconds, not minutes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from moteur.sandbox.serve import SandboxHandle, start_sandbox
from soak import SLOW_SECONDS


@pytest.fixture(scope="package")
def soak_sandbox() -> Iterator[SandboxHandle]:
    with start_sandbox(seed="demo", rate_limits=False, slow_seconds=SLOW_SECONDS) as handle:
        yield handle
