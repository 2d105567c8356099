"""Asterisk's channels as AMI events describe them, pure: each event updates the live
channels and says what it means for the call lifecycle (a `Change`), which the adapter then
writes to the call records.

A call is the set of channels sharing a Linkedid; a channel is known by its Uniqueid.
Events used: Newchannel, Newstate, DialBegin/DialEnd, BridgeEnter/BridgeLeave, DTMFEnd,
Hangup (with its cause), OriginateResponse (its Reason: 0 failed, 1 hung up, 3 no answer,
4 answered, 5 busy, 8 congestion) and Cdr. After a reconnect, `resync` compares the channels
we hold with what `CoreShowChannels` lists: ours that Asterisk no longer has ended
(`lost-sync`), Asterisk's we did not know adopted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from callcenter.telephony.asterisk.codec import Message

ORIGINATE_REASONS = {
    "0": "failed",
    "1": "hung-up",
    "3": "no-answer",
    "4": "answered",
    "5": "busy",
    "8": "congestion",
}
LOST_SYNC = "lost-sync"


@dataclass(slots=True)
class Channel:
    """A live channel."""

    uniqueid: str
    linkedid: str
    name: str
    state: str = "Down"
    caller: str = ""
    exten: str = ""
    bridge: str | None = None
    dialing: str | None = None  # the channel this one is ringing (an agent's leg)
    digits: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Change:
    """What an event meant: `kind` is new, state, dial, dial-end, bridged, unbridged, dtmf,
    hangup, originate, cdr, adopted or lost-sync. `call_id` is the call record a CDR names
    in its UserField (the dialplan sets `CDR(userfield)` to `CC_CALL_ID`), else ""."""

    kind: str
    uniqueid: str
    linkedid: str
    data: dict[str, Any] = field(default_factory=dict)
    call_id: str = ""


def originate_outcome(event: Message) -> str:
    """An OriginateResponse's outcome: answered, failed, no-answer, busy, congestion…"""
    if event.get("Response") == "Success":
        return "answered"
    return ORIGINATE_REASONS.get(event.get("Reason") or "0", "failed")


class ChannelTracker:
    """The live channels, kept from events."""

    def __init__(self) -> None:
        self.channels: dict[str, Channel] = {}

    def apply(self, event: Message) -> Change | None:
        handler = _HANDLERS.get(event.name)
        return handler(self, event) if handler is not None else None

    def by_uniqueid(self, uniqueid: str) -> Channel | None:
        """The live channel with that Uniqueid."""
        return self.channels.get(uniqueid)

    def calls(self) -> set[str]:
        """Linkedids of the calls with a live channel."""
        return {channel.linkedid for channel in self.channels.values()}

    def resync(self, listed: Iterable[Message]) -> list[Change]:
        """After a reconnect: `listed` is what CoreShowChannels returned. Ours that are not
        there ended while we were away; theirs that we did not know are adopted."""
        seen: dict[str, Message] = {}
        for item in listed:
            uniqueid = item.get("Uniqueid")
            if uniqueid:
                seen[uniqueid] = item
        changes = []
        for uniqueid in [u for u in self.channels if u not in seen]:
            gone = self.channels.pop(uniqueid)
            changes.append(Change(LOST_SYNC, uniqueid, gone.linkedid, {"channel": gone.name}))
        for uniqueid, item in seen.items():
            if uniqueid not in self.channels:
                channel = _channel_of(item)
                channel.bridge = item.get("BridgeId") or None
                self.channels[uniqueid] = channel
                changes.append(
                    Change("adopted", uniqueid, channel.linkedid, {"channel": channel.name})
                )
        return changes

    def _new(self, event: Message) -> Change:
        channel = _channel_of(event)
        self.channels[channel.uniqueid] = channel
        return Change(
            "new",
            channel.uniqueid,
            channel.linkedid,
            {"channel": channel.name, "caller": channel.caller, "exten": channel.exten},
        )

    def _state(self, event: Message) -> Change | None:
        channel = self._known(event)
        if channel is None:
            return None
        channel.state = event.get("ChannelStateDesc") or channel.state
        return Change("state", channel.uniqueid, channel.linkedid, {"state": channel.state})

    def _dial(self, event: Message) -> Change | None:
        uniqueid = event.get("Uniqueid") or event.get("DestUniqueid") or ""
        linkedid = event.get("Linkedid") or event.get("DestLinkedid") or uniqueid
        data = {"to": event.get("DestChannel") or event.get("DialString")}
        caller = self.channels.get(event.get("Uniqueid") or "")
        if caller is not None:
            caller.dialing = event.get("DestChannel") if event.name == "DialBegin" else None
        if event.name == "DialEnd":
            data["status"] = event.get("DialStatus")
            return Change("dial-end", uniqueid, linkedid, data)
        return Change("dial", uniqueid, linkedid, data)

    def _bridge(self, event: Message) -> Change | None:
        channel = self._known(event)
        if channel is None:
            return None
        entered = event.name == "BridgeEnter"
        channel.bridge = event.get("BridgeUniqueid") if entered else None
        kind = "bridged" if entered else "unbridged"
        data = {"bridge": event.get("BridgeUniqueid")}
        return Change(kind, channel.uniqueid, channel.linkedid, data)

    def _dtmf(self, event: Message) -> Change | None:
        channel = self._known(event)
        if channel is None or event.get("Direction") != "Received":
            return None
        digit = event.get("Digit") or ""
        channel.digits.append(digit)
        return Change("dtmf", channel.uniqueid, channel.linkedid, {"digit": digit})

    def _hangup(self, event: Message) -> Change:
        uniqueid = event.get("Uniqueid") or ""
        gone = self.channels.pop(uniqueid, None)
        linkedid = event.get("Linkedid") or (gone.linkedid if gone else uniqueid)
        return Change(
            "hangup",
            uniqueid,
            linkedid,
            {"cause": int(event.get("Cause") or 0), "cause_text": event.get("Cause-txt")},
        )

    def _originate(self, event: Message) -> Change:
        uniqueid = event.get("Uniqueid") or ""
        return Change(
            "originate",
            "" if uniqueid == "<unknown>" else uniqueid,
            "",
            {"outcome": originate_outcome(event), "action_id": event.action_id},
        )

    def _cdr(self, event: Message) -> Change:
        uniqueid = event.get("UniqueID") or event.get("Uniqueid") or ""
        return Change(
            "cdr",
            uniqueid,
            event.get("LinkedID") or uniqueid,
            {
                "disposition": event.get("Disposition"),
                "duration": int(event.get("Duration") or 0),
                "billable": int(event.get("BillableSeconds") or 0),
            },
            (event.get("UserField") or "").strip(),
        )

    def _known(self, event: Message) -> Channel | None:
        return self.channels.get(event.get("Uniqueid") or "")


def _channel_of(event: Message) -> Channel:
    uniqueid = event.get("Uniqueid") or ""
    return Channel(
        uniqueid,
        event.get("Linkedid") or uniqueid,
        event.get("Channel") or "",
        event.get("ChannelStateDesc") or "Down",
        event.get("CallerIDNum") or "",
        event.get("Exten") or "",
    )


_HANDLERS = {
    "Newchannel": ChannelTracker._new,
    "Newstate": ChannelTracker._state,
    "DialBegin": ChannelTracker._dial,
    "DialEnd": ChannelTracker._dial,
    "BridgeEnter": ChannelTracker._bridge,
    "BridgeLeave": ChannelTracker._bridge,
    "DTMFEnd": ChannelTracker._dtmf,
    "Hangup": ChannelTracker._hangup,
    "OriginateResponse": ChannelTracker._originate,
    "Cdr": ChannelTracker._cdr,
}
