"""The simulated gateway (the embedded default): calls are placed in-process and end with a
scripted outcome, so a campaign runs end to end with no telephony.

Outcomes come from a script per number (successive attempts to a number take successive
outcomes, the last one repeating) or else from a weighted mix drawn with a generator seeded by
`seed` and the attempt's key: the same seed and key always give the same outcome, whatever
the order the dialer places calls in. Results reach the dialer through the `ResultSink`
after `place` has returned, at once or after `ring_seconds` on the injected `sleep`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from callcenter.core.clock import Clock, SystemClock
from callcenter.core.phone import mask
from outbound.gateway import DialRequest, GatewayError, ResultSink
from outbound.models import AttemptResult, GatewayKind

log = logging.getLogger(__name__)
R = AttemptResult
OUTCOMES = frozenset(
    {R.CONFIRMED, R.ANSWERED, R.MACHINE, R.BUSY, R.NO_ANSWER, R.FAILED, R.OPTED_OUT}
)
DEFAULT_MIX: Mapping[AttemptResult, float] = {
    R.CONFIRMED: 0.35,
    R.ANSWERED: 0.25,
    R.MACHINE: 0.10,
    R.NO_ANSWER: 0.15,
    R.BUSY: 0.10,
    R.FAILED: 0.05,
}


@dataclass(frozen=True, slots=True)
class SimulatedCall:
    """One call the simulator placed (its ledger entry)."""

    provider_id: str
    key: str
    to: str
    caller_id: str
    flow: str
    placed_at: datetime
    outcome: AttemptResult


class SimulatedGateway:
    """`outbound.gateway.Gateway` in-process. `calls` is the ledger of every call placed."""

    kind = GatewayKind.SIMULATED

    def __init__(
        self,
        on_result: ResultSink | None = None,
        *,
        script: Mapping[str, Sequence[AttemptResult]] | None = None,
        mix: Mapping[AttemptResult, float] = DEFAULT_MIX,
        seed: int = 0,
        ring_seconds: float = 0.0,
        clock: Clock | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        _check(script or {}, mix)
        self._on_result = on_result
        self._script = {number: list(outcomes) for number, outcomes in (script or {}).items()}
        self._mix = dict(mix)
        self._seed = seed
        self._ring_seconds = ring_seconds
        self._clock = clock or SystemClock()
        self._sleep = sleep
        self._ids = itertools.count(1)
        self._name = secrets.token_hex(4)  # this gateway's part of its call ids
        self._tried: dict[str, int] = {}
        self._pending: set[asyncio.Task[None]] = set()
        self.calls: list[SimulatedCall] = []

    def bind(self, on_result: ResultSink) -> None:
        """Give the gateway the dialer's result sink (when it did not have one at creation)."""
        self._on_result = on_result

    async def place(self, request: DialRequest) -> str:
        """Record the call and schedule its outcome; its id `SIM-<gateway>-<n>` (unique
        across gateways: call records are found by it). A key already placed
        is refused (never a second call for one attempt)."""
        if any(call.key == request.key for call in self.calls):
            raise GatewayError(f"attempt {request.key} was already placed", transient=False)
        call = SimulatedCall(
            f"SIM-{self._name}-{next(self._ids)}",
            request.key,
            request.to,
            request.caller_id,
            request.flow,
            self._clock.now(),
            self._outcome(request),
        )
        self.calls.append(call)
        log.debug("simulated call %s to %s: %s", call.provider_id, mask(call.to), call.outcome)
        task = asyncio.create_task(self._deliver(call), name=f"simulated-{call.provider_id}")
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return call.provider_id

    async def find(self, request: DialRequest, since: datetime) -> str | None:
        """The id of the call placed for `request.key` at or after `since`, else None."""
        for call in self.calls:
            if call.key == request.key and call.placed_at >= since:
                return call.provider_id
        return None

    async def settle(self) -> None:
        """Until every outcome scheduled so far has been delivered."""
        while self._pending:
            await asyncio.gather(*self._pending)

    async def close(self) -> None:
        """Drop the outcomes not delivered yet."""
        for task in list(self._pending):
            task.cancel()
        for task in list(self._pending):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _outcome(self, request: DialRequest) -> AttemptResult:
        scripted = self._script.get(request.to)
        if scripted:
            n = self._tried.get(request.to, 0)
            self._tried[request.to] = n + 1
            return scripted[min(n, len(scripted) - 1)]
        draw = random.Random(f"{self._seed}:{request.key}")
        return draw.choices(list(self._mix), weights=list(self._mix.values()))[0]

    async def _deliver(self, call: SimulatedCall) -> None:
        if self._ring_seconds:
            await self._sleep(self._ring_seconds)
        if self._on_result is None:
            log.warning("simulated call %s ended with no result sink bound", call.provider_id)
            return
        try:
            await self._on_result(call.key, call.outcome, call.provider_id)
        except Exception:
            log.exception("the result of simulated call %s was not taken", call.provider_id)


def _check(
    script: Mapping[str, Sequence[AttemptResult]], mix: Mapping[AttemptResult, float]
) -> None:
    bad = {r for outcomes in script.values() for r in outcomes} | set(mix)
    if bad - OUTCOMES:
        raise ValueError(f"not a call outcome: {', '.join(sorted(bad - OUTCOMES))}")
    if any(not outcomes for outcomes in script.values()):
        raise ValueError("a scripted number needs at least one outcome")
    if not mix or any(w < 0 for w in mix.values()) or sum(mix.values()) <= 0:
        raise ValueError("the outcome mix needs positive weights")
