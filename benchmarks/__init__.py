"""Benchmarks: requests and wall time per scenario against the sandbox, beside the APIs' minimum."""
