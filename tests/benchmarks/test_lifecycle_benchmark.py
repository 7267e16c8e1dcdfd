"""The benchmark, run small (no latency, one source) so that it cannot rot, and the API call
counts it reports asserted (never its timings): a fresh `up` writes each object once, a no-op `up`
and `preview` call nothing, `preview --refresh` and `refresh` read each object once."""

from __future__ import annotations

import pytest

from benchmarks.lifecycle import main
from tests.engine import require_engine

OBJECTS_PER_SOURCE = 8  # field group, schema, dataset, 2 connections, mapping set, dataflow, webhook


def test_small_benchmark_run_and_its_call_counts(capsys: pytest.CaptureFixture[str]) -> None:
    require_engine()
    report = main(
        [
            "--latency-ms",
            "0",
            "--sizes",
            "1",
            "--rate-sources",
            "1",
            "--no-checkpoints",
            "--no-shared-workspace",
            "--baseline-rounds",
            "1",
        ]
    )
    printed = capsys.readouterr().out
    assert "FAILED" not in printed, printed
    for section in ("baseline:", "critical path of one source", "wall(N) / wall(1)", "rate-limited to 10"):
        assert section in printed, printed
    for n, steps in report.results.items():
        objects = OBJECTS_PER_SOURCE * n
        assert all(f.ok for f in steps.values()), printed
        assert steps["up"].count("write") == objects, [c["operation"] for c in steps["up"].calls]
        for quiet in ("up (no changes)", "preview"):
            assert steps[quiet].calls == [], (quiet, steps[quiet].calls)
        for reading in ("preview --refresh", "refresh"):
            assert steps[reading].count("write") == 0
            assert steps[reading].count("read") == objects, [c["operation"] for c in steps[reading].calls]
        assert steps["destroy"].count("write") == objects, [c["operation"] for c in steps["destroy"].calls]
        up = steps["up"]
        assert up.cli_mb > 0 and up.provider_mb > 0 and up.providers == 1, (
            up.cli_mb,
            up.provider_mb,
            printed,
        )
    up, destroy = report.rate_limited
    assert up.ok and destroy.ok, f"429 + Retry-After must be waited out, never fail the run\n{printed}"
