"""Prometheus metrics of the dialer: attempts by result, refusals by reason, call starts
(`rate()` of it is the dial rate)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from outbound.dialer import RoundReport
from outbound.models import AttemptResult


class DialerMetrics:
    """Counters in `registry`, served at `/metrics` with the others."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.results = Counter(
            "callcenter_outbound_attempts",
            "Campaign attempts finished, by result.",
            ["result"],
            registry=registry,
        )
        self.refusals = Counter(
            "callcenter_outbound_refusals",
            "Dials refused by the compliance gate, by reason.",
            ["reason"],
            registry=registry,
        )
        self.placed = Counter(
            "callcenter_outbound_calls_placed",
            "Campaign calls the gateways took (its rate is the dial rate).",
            registry=registry,
        )

    def round_done(self, report: RoundReport) -> None:
        """Count what one dialer round placed and refused."""
        self.placed.inc(report.placed)
        for reason, n in report.refused.items():
            self.refusals.labels(reason).inc(n)
            self.results.labels(AttemptResult.REFUSED.value).inc(n)
        if report.failed:
            self.results.labels(AttemptResult.FAILED.value).inc(report.failed)

    def result(self, result: AttemptResult) -> None:
        """Count one result the gateway reported."""
        self.results.labels(result.value).inc()
