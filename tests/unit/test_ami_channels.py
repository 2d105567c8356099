"""Channels and call lifecycle from the recorded AMI event streams."""

from __future__ import annotations

from pathlib import Path

from callcenter.telephony.asterisk.channels import LOST_SYNC, Channel, ChannelTracker
from callcenter.telephony.asterisk.codec import AmiParser, Message

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "asterisk"


def events(name: str) -> list[Message]:
    items = AmiParser().feed((FIXTURES / f"{name}.txt").read_bytes())
    return [m for m in items if isinstance(m, Message) and m.kind == "event"]


def test_an_inbound_call_from_first_channel_to_hangup() -> None:
    tracker = ChannelTracker()
    changes = [c for e in events("ami-inbound-ivr-queue") if (c := tracker.apply(e)) is not None]
    kinds = [c.kind for c in changes]
    assert kinds[0] == "new" and "bridged" in kinds and "unbridged" in kinds
    digits = [c.data["digit"] for c in changes if c.kind == "dtmf"]
    assert digits == ["1", "2", "#"]
    hangups = [c for c in changes if c.kind == "hangup"]
    assert {c.data["cause"] for c in hangups} == {16}
    assert {c.linkedid for c in hangups} == {"1795334646.0"}  # one call, all its legs
    assert tracker.channels == {}  # every channel hung up
    assert [c.data["outcome"] for c in changes if c.kind == "originate"] == ["answered"]
    cdrs = [c for c in changes if c.kind == "cdr"]
    assert cdrs and all(c.data["disposition"] for c in cdrs)


def test_failed_originates_give_their_outcome() -> None:
    tracker = ChannelTracker()
    outcomes = {
        c.data["action_id"]: c.data["outcome"]
        for e in events("ami-originate-failure")
        if (c := tracker.apply(e)) is not None and c.kind == "originate"
    }
    assert outcomes == {
        "originate-failure-02": "busy",
        "originate-failure-03": "congestion",
        "originate-failure-04": "no-answer",
        "originate-failure-05": "failed",
        "originate-failure-06": "failed",
        "originate-failure-08": "congestion",
    }


def test_resync_ends_what_asterisk_lost_and_adopts_what_we_missed() -> None:
    listed = [e for e in events("ami-status-actions") if e.name == "CoreShowChannel"]
    tracker = ChannelTracker()
    tracker.channels["1.1"] = Channel("1.1", "1.1", "PJSIP/gone-00000001")
    changes = tracker.resync(listed[:2])
    assert (changes[0].kind, changes[0].uniqueid) == (LOST_SYNC, "1.1")
    adopted = [c for c in changes if c.kind == "adopted"]
    assert len(adopted) == len({e.get("Uniqueid") for e in listed[:2]}) == 2
    assert set(tracker.channels) == {e.get("Uniqueid") for e in listed[:2]}
    assert tracker.resync(listed[:2]) == []  # nothing new the second time
