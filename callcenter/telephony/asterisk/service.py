"""The AMI session at work: Asterisk's events kept in the channel tracker and written to the
call records, a resync after every (re)connect, and the actions the rest of the system
needs (Originate, Redirect, Hangup, Status).

Only the instance holding the `ami` lease runs it (`run_while_leader`). Events are applied
to the tracker as they are read; what touches the database (a hang-up's cause, the CDR's
disposition and billable seconds, a call lost while we were away) goes through a queue to
one writer task, so the reader never waits on SQL.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any

from callcenter.calls.models import CallEventType, NoSuchCallError, ProviderRef
from callcenter.core.tasks import cancel_requested
from callcenter.telephony.asterisk.ami import AmiClient, AmiError, AmiSettings
from callcenter.telephony.asterisk.bridge import RINGING_LEG
from callcenter.telephony.asterisk.channels import (
    LOST_SYNC,
    Change,
    ChannelTracker,
)
from callcenter.telephony.asterisk.codec import Message
from callcenter.telephony.ports import CallEnd, CallLog

log = logging.getLogger(__name__)
E = CallEventType
PROVIDER = "asterisk"
RECORDED = frozenset({"hangup", "cdr", LOST_SYNC})
WRITE_QUEUE = 10_000


class AsteriskAmi:
    """The AMI client, the channels it follows, and the call records it updates."""

    def __init__(
        self,
        settings: AmiSettings,
        calls: CallLog,
        ending: CallEnd,
        *,
        client: AmiClient | None = None,
        relayed: Callable[[], AsyncIterator[dict[str, Any]]] | None = None,
    ) -> None:
        self._calls = calls
        self._relayed = relayed
        self._ending = ending
        self.tracker = ChannelTracker()
        self._changes: asyncio.Queue[Change] = asyncio.Queue(WRITE_QUEUE)
        self.client = client or AmiClient(settings, self._on_event, on_connect=self.resync)
        self.synced = False
        self.written = 0
        self.leading = False  # this instance holds the `ami` lease and runs the session
        self._sync_error: str | None = None
        self.listeners: list[Callable[[Message], None]] = []  # more readers of every event
        # relayed actions other than hang-ups, by their "action" (issue 16: the live call)
        self.relay_handlers: dict[str, Callable[[dict[str, Any]], Awaitable[None]]] = {}

    @property
    def connected(self) -> bool:
        """Logged in and resynced: what the tracker says about channels is current."""
        return self.client.connected and self.synced

    def readiness(self) -> tuple[bool, str]:
        """For `/readyz`: (ready, what to say). Not ready only when this instance holds the
        session and it is not logged in and resynced; another instance holding it is fine."""
        if not self.leading:
            return True, "standby: another instance holds the AMI session"
        if self.connected:
            return True, "ok"
        return False, self.client.last_error or self._sync_error or "not logged in yet"

    async def run(self) -> None:
        """The session, the record writer and the relayed actions, until cancelled."""
        self.leading = True
        helpers = [asyncio.create_task(self._write_forever(), name="ami-writer")]
        if self._relayed is not None:
            helpers.append(
                asyncio.create_task(self.serve_relayed(self._relayed()), name="ami-relay")
            )
        try:
            await self.client.run()
        finally:
            self.synced = self.leading = False
            for helper in helpers:
                helper.cancel()
            await self.client.close()

    def _on_event(self, event: Message) -> None:
        change = self.tracker.apply(event)
        if change is not None and change.kind in RECORDED:
            self._queue(change)
        for listener in self.listeners:
            listener(event)

    def _queue(self, change: Change) -> None:
        try:
            self._changes.put_nowait(change)
        except asyncio.QueueFull:
            log.error(
                "AMI: call-record writes fall behind; dropped %s of %s",
                change.kind,
                change.uniqueid,
            )

    async def resync(self) -> None:
        """After a (re)connect: the channels Asterisk has now against the ones we hold; our
        calls it no longer has end with `lost-sync`, its channels we did not know are adopted.
        QueueStatus is read and logged: callcenter keeps its own queues, so Asterisk's are
        expected empty. A refused CoreShowChannels leaves the session unsynced (not ready)
        rather than ending every call."""
        self.synced = False
        head, channels = await self.client.list_action("CoreShowChannels")
        if head.name != "Success":
            self._sync_error = f"CoreShowChannels refused: {head.get('Message') or head.name}"
            log.error("AMI resync: %s; channels not resynced", self._sync_error)
            return
        changes = self.tracker.resync(channels)
        for change in changes:
            self._queue(change)
        lost = sum(1 for c in changes if c.kind == LOST_SYNC)
        log.info(
            "AMI resync: %d channels live, %d adopted, %d lost while away",
            len(channels),
            len(changes) - lost,
            lost,
        )
        await self._read_asterisk_queues()
        self._sync_error = None
        self.synced = True

    async def _read_asterisk_queues(self) -> None:
        head, items = await self.client.list_action("QueueStatus")
        if head.name != "Success":
            log.error("AMI QueueStatus refused: %s", head.get("Message") or head.name)
        else:
            log.info("AMI: %d Asterisk queue items (callcenter keeps its own queues)", len(items))

    async def _write_forever(self) -> None:
        while not cancel_requested():
            change = await self._changes.get()
            try:
                await self._write(change)
                self.written += 1
            except Exception:
                log.exception("AMI: writing %s of channel %s failed", change.kind, change.uniqueid)

    async def _write(self, change: Change) -> None:
        call = await self._calls.find_by_provider(ProviderRef(PROVIDER, change.uniqueid))
        if change.kind == "cdr":
            await self._write_cdr(change, call.id if call is not None else change.call_id)
            return
        if call is None:
            return  # a leg that is not a call of ours (an agent's, a Local half)
        if change.kind == "hangup":
            await self._calls.record(
                call.id,
                E.PROVIDER_STATUS,
                {
                    "provider": PROVIDER,
                    "status": "hangup",
                    "cause": change.data.get("cause"),
                    "cause_text": change.data.get("cause_text"),
                },
            )
        elif change.kind == LOST_SYNC and not call.is_over:
            await self._ending.ended(call.id, LOST_SYNC)
            log.warning("call %s ended while the AMI was away: %s", call.id, LOST_SYNC)

    async def _write_cdr(self, change: Change, call_id: str) -> None:
        """A CDR into its call record: found by the channel's Uniqueid, else by the call id
        the dialplan put in its UserField (`CC_CALL_ID`)."""
        if not call_id:
            return  # a leg that is not a call of ours
        data = {"provider": PROVIDER, "status": "cdr", **change.data}
        try:
            await self._calls.record(call_id, E.PROVIDER_STATUS, data)
        except NoSuchCallError:
            log.warning(
                "AMI: the CDR of channel %s names call %s, which is not on record",
                change.uniqueid,
                call_id,
            )

    # --- actions -------------------------------------------------------------------------

    async def originate(
        self,
        channel: str,
        *,
        context: str,
        exten: str,
        caller_id: str = "",
        timeout_seconds: int = 30,
        variables: Mapping[str, str] | None = None,
        channel_id: str = "",
    ) -> asyncio.Future[Message]:
        """Place a call (async Originate); the future gives its OriginateResponse (see
        `originate_outcome`). Never sent twice: a lost connection fails the future.
        `channel_id` becomes the originated channel's Uniqueid (Asterisk refuses a second
        live channel with the same one)."""
        fields: list[tuple[str, str]] = [
            ("Channel", channel),
            ("Context", context),
            ("Exten", exten),
            ("Priority", "1"),
            ("Timeout", str(timeout_seconds * 1000)),
            ("Async", "true"),
        ]
        if caller_id:
            fields.append(("CallerID", caller_id))
        if channel_id:
            fields.append(("ChannelId", channel_id))
        fields += [("Variable", f"{k}={v}") for k, v in (variables or {}).items()]
        answer, outcome = await self.client.action_with_event(
            "Originate", fields, "OriginateResponse"
        )
        if answer.name != "Success":
            raise AmiError(f"Originate refused: {answer.get('Message')}")
        return outcome

    async def redirect(self, channel: str, context: str, exten: str, priority: int = 1) -> None:
        """Send a live channel elsewhere in the dialplan."""
        await self._checked(
            "Redirect",
            [
                ("Channel", channel),
                ("Context", context),
                ("Exten", exten),
                ("Priority", str(priority)),
            ],
        )

    async def hangup(self, channel: str, cause: int = 16) -> None:
        """End a channel (cause 16: normal clearing)."""
        await self._checked("Hangup", [("Channel", channel), ("Cause", str(cause))])

    async def status(self, channel: str | None = None) -> list[Message]:
        """Asterisk's Status of one channel (or all)."""
        _, items = await self.client.list_action(
            "Status", [("Channel", channel)] if channel else []
        )
        return items

    async def hang_up_leg(self, uniqueid: str, leg: str) -> bool:
        """Hang up the caller's channel (`caller`) or the agent's leg it is ringing
        (`ringing`) of the call whose channel has this Uniqueid; False when there is none."""
        channel = self.tracker.by_uniqueid(uniqueid)
        target = (
            None if channel is None else channel.dialing if leg == RINGING_LEG else channel.name
        )
        if not target:
            return False
        try:
            await self.hangup(target)
        except AmiError as err:
            log.warning("AMI Hangup of %s failed: %s", target, err)
            return False
        return True

    async def serve_relayed(self, messages: AsyncIterator[dict[str, Any]]) -> None:
        """Carry out actions other instances relayed here (they do not hold the session)."""
        async for message in messages:
            handler = self.relay_handlers.get(str(message.get("action")))
            if message.get("action") == "hangup":
                await self.hang_up_leg(str(message.get("uniqueid")), str(message.get("leg")))
            elif handler is not None:
                await handler(message)
            else:
                log.warning("AMI relay: unknown action %r dropped", message.get("action"))

    async def _checked(self, action: str, fields: Iterable[tuple[str, str]]) -> None:
        answer = await self.client.action(action, list(fields))
        if answer.name != "Success":
            raise AmiError(f"{action} refused: {answer.get('Message')}")
