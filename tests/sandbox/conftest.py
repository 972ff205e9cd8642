"""Fixtures for the sandbox suite: one real sandbox process per xdist worker, reseeded per test.

Tests talk plain HTTP (requests) to the server, exactly as a client would.
"""

import pytest

from copilot_helpers import copilot_seed
from sandbox_helpers import DEFAULT_ANSWERS, base_seed
from seatops_sandbox.testing import SandboxProcess


@pytest.fixture(scope="session")
def sandbox_process():
    with SandboxProcess(seed=base_seed(), extra_args=["--quiet"]) as proc:
        yield proc


@pytest.fixture
def sb(sandbox_process):
    """The shared sandbox, freshly seeded with no faults, limits, latency or logged requests."""
    sandbox_process.faults([])
    sandbox_process.config(latency_ms=0, jitter_ms=0, datadog_rate_limit=None, msstore_rate_limit=None,
                           token_lifetime=3600, **DEFAULT_ANSWERS)
    sandbox_process.seed(base_seed())
    sandbox_process.clear_requests()
    return sandbox_process


@pytest.fixture
def gh(sb):
    """The shared sandbox seeded with the base seed plus a GitHub Copilot section (copilot_helpers)."""
    sb.seed(copilot_seed())
    sb.clear_requests()
    return sb
