"""The reconciler: repairs drift between shared state, the call records and the switch, and
logs each repair. Agents reserved without a live offer go ready; calls in queue whose call
has ended are abandoned (their end recorded as the system's when nobody recorded it); ready
agents whose desk went away go not ready (desk-gone). Inbound calls still in the IVR
`IVR_AFTER` after they began, and the calls agents are on, are asked about too, and ended when
their provider says they are over, the agent to wrap-up (a server killed mid-call never heard
their end: issue 17).

A pass costs O(batch), not O(calls): the routed calls' data is read in one Redis round trip
per `BATCH` calls and their record ends in one SQL query per batch; providers answering from
memory (the AMI tracker) are asked about every call, the others (Twilio REST) about at most
`PROVIDER_CHECKS_PER_PASS` calls per pass, the least recently asked first."""

from __future__ import annotations

import heapq
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from agents.models import SYSTEM, AgentState, NotReadyReason, Presence, RoutedCall
from agents.ports import AcdState, Bridge, CallEnds, CallEvents
from agents.presence_service import PresenceService
from callcenter.core.ending import EndedBy

log = logging.getLogger(__name__)
S = AgentState
DESK_TIMEOUT_MS = 60_000  # a ready agent whose desk is gone this long goes not ready
PROVIDER_CHECKS_PER_PASS = 50  # REST look-ups per pass (Twilio's rate limits)
BATCH = 500  # routed calls read per Redis round trip and per SQL query
# Providers whose `is_live` is an in-memory look-up (the AMI channel tracker): every call of
# theirs is asked on every pass. The others (Twilio REST, the simulator's Redis mailbox) cost
# a request per call and share the per-pass budget.
IN_MEMORY_PROVIDERS = frozenset({"asterisk"})
# Inbound calls still in the IVR this long after they began are asked about (a live one
# answers "in progress" and is asked again later); older than IVR_HORIZON they are left alone
# (Twilio ends a call after 4 hours at most).
IVR_AFTER = timedelta(seconds=60)
IVR_HORIZON = timedelta(hours=4)

CallEnded = Callable[[str, str], Awaitable[bool]]


class Reconciler:
    """One pass repairs what drifted; run at start and periodically."""

    def __init__(
        self,
        state: AcdState,
        presence: PresenceService,
        *,
        calls: CallEvents,
        bridge: Bridge,
        call_ended: CallEnded,
        ends: CallEnds | None = None,
    ) -> None:
        self._state = state
        self._presence = presence
        self._calls = calls
        self._bridge = bridge
        self._call_ended = call_ended
        self._ends = ends
        self._pass = 0
        self._asked: dict[str, int] = {}  # call id -> the pass its provider was last asked

    async def reconcile(self) -> list[str]:
        """Repair drift and log each repair: agents reserved without a live offer, calls in
        queue, in the IVR or with an agent whose provider call has ended, ready agents whose
        desk went away."""
        presences = await self._presence.presences()
        talking = {  # call id -> the agent on it
            p.call_id: agent_id
            for agent_id, p in presences.items()
            if p.state is S.ON_CALL and p.call_id
        }
        repairs = await self._agents(presences) + await self._calls_gone(talking)
        for repair in repairs:
            log.warning("reconciler: %s", repair)
        return repairs

    async def _agents(self, presences: dict[int, Presence]) -> list[str]:
        now = self._presence.now_ms()
        repairs: list[str] = []
        desks = await self._state.desks()
        for agent_id, presence in presences.items():
            if presence.state is S.RESERVED:
                call_id = presence.call_id
                offered = await self._state.offered_to(call_id) if call_id else None
                if offered != agent_id:
                    await self._presence.change(
                        agent_id, frozenset({S.RESERVED}), Presence(S.READY, now), SYSTEM
                    )
                    repairs.append(f"agent {agent_id} reserved without a live offer: ready")
            elif presence.state is S.READY and desk_lost(desks.get(agent_id), now):
                down = Presence(S.NOT_READY, now, NotReadyReason.DESK_GONE.value)
                await self._presence.change(agent_id, frozenset({S.READY}), down, SYSTEM)
                gone = f"agent {agent_id} ready but the desk is gone"
                repairs.append(f"{gone}: not ready ({down.reason})")
        return repairs

    async def _calls_gone(self, talking: dict[str, int]) -> list[str]:
        """Calls whose end is on record or at their provider, still queued, in the IVR or
        with an agent (`talking`, read with the routed calls: no extra round trip), ended."""
        self._pass += 1
        routed_ids = await self._state.routed_calls()
        ids = routed_ids + [c for c in talking if c not in set(routed_ids)]
        stranded, candidates = await self._on_record(ids)
        in_ivr = await self._in_ivr()
        candidates = in_ivr | candidates
        self._asked = {c: self._asked[c] for c in candidates if c in self._asked}
        metered: list[tuple[str, RoutedCall]] = []
        for call_id, call in candidates.items():
            if call.line.provider not in IN_MEMORY_PROVIDERS:
                metered.append((call_id, call))
            elif await self._provider_says_ended(call_id, call):
                stranded.append((call_id, False))
        stranded += [(c, False) for c in await self._ask_providers(metered)]
        ends = []
        for call_id, recorded in stranded:
            repair = _repair(call_id, call_id in in_ivr, talking.get(call_id))
            ends.append(await self._end(call_id, recorded, repair))
        return ends

    async def _on_record(
        self, ids: list[str]
    ) -> tuple[list[tuple[str, bool]], dict[str, RoutedCall]]:
        """By batch: the calls ended on record (with True), and the others to ask their
        provider about; calls kept for a callback are left alone."""
        stranded: list[tuple[str, bool]] = []  # (call id, whether its end is on record)
        candidates: dict[str, RoutedCall] = {}
        for at in range(0, len(ids), BATCH):
            batch = ids[at : at + BATCH]
            routed = await self._state.routed_data(batch)
            recorded = await self._ended(batch)
            for call_id in batch:
                call = routed.get(call_id)
                if call is not None and call.callback:
                    continue
                if call_id in recorded:
                    stranded.append((call_id, True))
                elif call is not None:
                    candidates[call_id] = call
        return stranded, candidates

    async def _in_ivr(self) -> dict[str, RoutedCall]:
        """Inbound calls in the IVR longer than `IVR_AFTER` (at most `BATCH`, oldest first):
        their end may have been lost. Empty when the records cannot be read now."""
        if self._ends is None:
            return {}
        now = datetime.fromtimestamp(self._presence.now_ms() / 1000, UTC)
        try:
            found = await self._ends.in_ivr(now - IVR_HORIZON, now - IVR_AFTER, BATCH)
        except Exception as err:  # the database down: asked again on the next pass
            log.warning("reconciler could not read the calls in the IVR: %s", err)
            return {}
        return {call_id: RoutedCall(line) for call_id, line in found}

    async def _ended(self, call_ids: list[str]) -> set[str]:
        """Which of `call_ids` have ended on record: one query (one per call without the
        batch port); none when the records cannot be read now."""
        try:
            if self._ends is not None:
                return await self._ends.ended_among(call_ids)
            return {c for c in call_ids if await self._calls.has_ended(c)}
        except Exception as err:  # the database down: the providers are still asked
            log.warning("reconciler could not read the call records: %s", err)
            return set()

    async def _ask_providers(self, metered: list[tuple[str, RoutedCall]]) -> list[str]:
        """Ask the providers about the calls least recently asked, at most
        `PROVIDER_CHECKS_PER_PASS` (REST rate limits): every call is asked within
        ceil(calls / PROVIDER_CHECKS_PER_PASS) passes. The calls they say have ended."""
        due = heapq.nsmallest(
            PROVIDER_CHECKS_PER_PASS, metered, key=lambda item: self._asked.get(item[0], 0)
        )
        gone = []
        for call_id, call in due:
            self._asked[call_id] = self._pass
            if await self._provider_says_ended(call_id, call):
                gone.append(call_id)
        return gone

    async def _end(self, call_id: str, recorded: bool, repair: str) -> str:
        await self._call_ended(call_id, "reconciled")  # with an agent: to wrap-up
        if not recorded:  # the provider's hang-up never reached us
            await self._calls.record_event(
                call_id, "hung_up", {"by": EndedBy.SYSTEM.value, "reason": "reconciled"}
            )
        return repair

    async def _provider_says_ended(self, call_id: str, routed: RoutedCall) -> bool:
        try:
            return await self._bridge.is_live(routed) is False
        except Exception as err:  # the provider unreachable: ask again on the next pass
            log.warning("reconciler could not ask the provider about call %s: %s", call_id, err)
            return False


def _repair(call_id: str, in_ivr: bool, agent_id: int | None) -> str:
    """What ending a call whose provider call has ended repaired."""
    if agent_id is not None:
        return f"call {call_id} with agent {agent_id} but its call has ended: wrap-up"
    if in_ivr:
        return f"call {call_id} in the IVR but its call has ended: ended"
    return f"call {call_id} queued but its call has ended: abandoned"


def desk_lost(seen: int | None, now_ms: int) -> bool:
    """A desk that was connected and is gone: closed (negative: when) longer than the grace
    time ago, or its instance stopped sending heartbeats. Agents who never used a desk (API
    clients) are left alone."""
    if seen is None:
        return False
    last = -seen if seen < 0 else seen
    return now_ms - last > DESK_TIMEOUT_MS
