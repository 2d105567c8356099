"""CC_CALL_ID into the CDRs (issue 12, item 13a): the sample dialplan writes it into the CDR's
userfield when a hotline channel hangs up, cdr_manager sends CDRs to the AMI, and the channel
tracker reads the recorded Cdr event's UserField as the call record's id."""

from __future__ import annotations

import re
from pathlib import Path

from callcenter.telephony.asterisk.channels import ChannelTracker
from callcenter.telephony.asterisk.codec import AmiParser, Message

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "config" / "asterisk"
FIXTURES = ROOT / "tests" / "fixtures" / "asterisk"


def recorded_cdrs() -> list[bytes]:
    """The Cdr blocks of the recorded inbound call, as Asterisk 22 sent them."""
    sent = (FIXTURES / "ami-inbound-ivr-queue.txt").read_bytes()
    return [b + b"\r\n\r\n" for b in sent.split(b"\r\n\r\n") if b.startswith(b"Event: Cdr\r\n")]


def context(dialplan: str, name: str) -> str:
    """The lines of one dialplan context."""
    return re.split(rf"^\[{re.escape(name)}\]$", dialplan, flags=re.M)[1].split("\n[", 1)[0]


def test_the_tracker_takes_the_call_id_from_the_user_field() -> None:
    blocks = recorded_cdrs()
    assert blocks and all(b"\r\nUserField: \r\n" in b for b in blocks)  # empty when recorded
    filled = blocks[0].replace(b"\r\nUserField: \r\n", b"\r\nUserField: call-0042\r\n")
    tracker = ChannelTracker()
    changes = []
    for item in AmiParser().feed(b"Asterisk Call Manager/11.0.0\r\n" + blocks[0] + filled)[1:]:
        assert isinstance(item, Message)
        change = tracker.apply(item)
        assert change is not None
        changes.append(change)
    assert [(c.kind, c.uniqueid, c.call_id) for c in changes] == [
        ("cdr", "1795334646.1", ""),
        ("cdr", "1795334646.1", "call-0042"),
    ]
    assert "call_id" not in changes[1].data  # the record keeps disposition and times only


def test_the_sample_dialplan_puts_cc_call_id_into_the_cdr_when_the_call_hangs_up() -> None:
    dialplan = (SAMPLES / "extensions.conf").read_text(encoding="utf-8")
    hotline = context(dialplan, "hotline-in")
    pushed = re.search(r"Set\(CHANNEL\(hangup_handler_push\)=([\w-]+),s,1\)", hotline)
    assert pushed is not None
    assert hotline.index("hangup_handler_push") < hotline.index("AGI(")  # before the IVR
    handler = context(dialplan, pushed[1])
    assert "Set(CDR(userfield)=${CC_CALL_ID})" in handler and "Return()" in handler
    cdr_manager = (SAMPLES / "cdr_manager.conf").read_text(encoding="utf-8")
    assert re.search(r"^\[general\]\s*\nenabled = yes$", cdr_manager, re.M)
    manager = (SAMPLES / "manager.conf").read_text(encoding="utf-8")
    assert "cdr" in re.search(r"^read = (.*)$", manager, re.M)[1].split(",")  # type: ignore[index]
