"""The AMI codec on the transcripts recorded from Asterisk 22, and on what a stream can do
to it: characters split across reads, bare LF, a huge line, a truncated end, garbage."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.telephony.asterisk.codec import (
    DROPPED_EVENTS,
    AmiParser,
    Banner,
    FramingError,
    Item,
    Malformed,
    Message,
    encode_action,
    parse_block,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "asterisk"
SERVER = sorted(p for p in FIXTURES.glob("ami-*.txt") if p.name.count(".") == 1)
CLIENT = sorted(FIXTURES.glob("ami-*.client.txt"))


def parse_all(data: bytes, chunk: int | None = None, parser: AmiParser | None = None) -> list[Item]:
    parser = parser or AmiParser()
    if chunk is None:
        return parser.feed(data)
    items: list[Item] = []
    for at in range(0, len(data), chunk):
        items += parser.feed(data[at : at + chunk])
    return items


def blocks(data: bytes) -> list[bytes]:
    """The transcript cut by hand: banner line apart, then blocks on the blank lines."""
    body = data.split(b"\r\n", 1)[1]
    return [b for b in body.split(b"\r\n\r\n") if b]


@pytest.mark.parametrize("path", SERVER, ids=lambda p: p.name)
def test_every_recorded_message_parses(path: Path) -> None:
    data = path.read_bytes()
    parser = AmiParser(drop=frozenset())
    items = parse_all(data, parser=parser)
    assert items[0] == Banner("11.0.0")
    messages = items[1:]
    assert all(isinstance(m, Message) for m in messages)
    expected = blocks(data)
    assert len(messages) == len(expected) and parser.pending == 0
    for message, block in zip(messages, expected, strict=True):
        assert isinstance(message, Message)
        kind, name = block.split(b"\r\n", 1)[0].decode().split(": ", 1)
        assert (message.kind, message.name) == (kind.lower(), name)
        lines = block.decode().split("\r\n")
        assert len(message.fields) + len(message.repeats) == len(lines)


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1000, 4096])
def test_reads_of_any_size_give_the_same_messages(chunk: int) -> None:
    data = (FIXTURES / "ami-inbound-ivr-queue.txt").read_bytes()
    assert parse_all(data, chunk) == parse_all(data)


def test_noisy_events_are_dropped_before_decoding_and_counted() -> None:
    data = (FIXTURES / "ami-inbound-ivr-queue.txt").read_bytes()
    everything = [m.name for m in AmiParser(drop=frozenset()).feed(data) if isinstance(m, Message)]
    parser = AmiParser()
    names = [m.name for m in parser.feed(data) if isinstance(m, Message)]
    assert not set(names) & DROPPED_EVENTS
    assert parser.dropped == sum(1 for n in everything if n in DROPPED_EVENTS) >= 150
    assert names == [n for n in everything if n not in DROPPED_EVENTS]
    for wanted in ("Newchannel", "Newstate", "DialBegin", "DialEnd", "BridgeEnter", "Hangup"):
        assert wanted in names
    assert {"DTMFEnd", "OriginateResponse", "Cdr", "QueueCallerJoin"} <= set(names)


def test_repeated_keys_keep_every_value_in_order() -> None:
    message = parse_block(
        b"Event: Status\r\nChannel: PJSIP/1001-00000001\r\nVariable: A=1\r\n"
        b"Variable: B=2\r\nVariable: C=3"
    )
    assert isinstance(message, Message)
    assert message.get("Variable") == "A=1"
    assert message.get_all("Variable") == ["A=1", "B=2", "C=3"]
    assert message.get_all("Nothing") == []


def test_a_multibyte_name_split_at_every_byte_survives() -> None:
    name = "张三（国网客户）"
    block = (
        "Event: Newchannel\r\nChannel: PJSIP/trunk-00000001\r\n"
        f"CallerIDName: {name}\r\nUniqueid: 1.1\r\n\r\n"
    ).encode()
    data = b"Asterisk Call Manager/11.0.0\r\n" + block * 2
    for cut in range(1, len(data)):
        parser = AmiParser()
        items = parser.feed(data[:cut]) + parser.feed(data[cut:])
        messages = [m for m in items if isinstance(m, Message)]
        assert [m.get("CallerIDName") for m in messages] == [name, name], cut


def test_bare_lf_streams_parse_like_crlf() -> None:
    data = (FIXTURES / "ami-abandon.txt").read_bytes()
    assert parse_all(data.replace(b"\r\n", b"\n"), 100) == parse_all(data)


def test_a_one_megabyte_line_is_refused_without_a_crash() -> None:
    parser = AmiParser()
    parser.feed(b"Asterisk Call Manager/11.0.0\r\n")
    with pytest.raises(FramingError):
        for _ in range(1024):
            parser.feed(b"Event: Flood\r\nData: " + b"x" * 1024)
    assert parser.pending == 0  # nothing kept of it


def test_a_truncated_stream_keeps_what_was_complete() -> None:
    data = (FIXTURES / "ami-inbound-ivr-queue.txt").read_bytes()
    whole = parse_all(data)
    parser = AmiParser()
    cut = parser.feed(data[:-10])
    assert cut == whole[:-1] and parser.pending > 0


def test_garbage_blocks_are_reported_and_skipped() -> None:
    parser = AmiParser()
    items = parser.feed(
        b"Asterisk Call Manager/11.0.0\r\nthis is not AMI\r\n\r\nFoo: bar\r\n\r\n"
        b"Response: Success\r\nActionID: 7\r\nPing: Pong\r\n\r\n\r\n"
    )
    assert isinstance(items[1], Malformed) and isinstance(items[2], Malformed)
    assert items[3] == Message(
        "response", "Success", {"Response": "Success", "ActionID": "7", "Ping": "Pong"}
    )
    assert isinstance(AmiParser().feed(b"SSH-2.0-OpenSSH\r\n")[0], Malformed)


def client_actions(path: Path) -> list[tuple[str, str, list[tuple[str, str]]]]:
    actions = []
    for block in path.read_bytes().split(b"\r\n\r\n"):
        if not block:
            continue
        pairs = [tuple(line.split(": ", 1)) for line in block.decode().split("\r\n")]
        (_, action), (_, action_id), *rest = pairs
        actions.append((action, action_id, [(k, v) for k, v in rest]))
    return actions


@pytest.mark.parametrize("path", CLIENT, ids=lambda p: p.name)
def test_actions_encode_to_the_recorded_bytes(path: Path) -> None:
    encoded = b"".join(encode_action(a, i, fields) for a, i, fields in client_actions(path))
    assert encoded == path.read_bytes()


def test_an_action_field_cannot_smuggle_a_line() -> None:
    with pytest.raises(ValueError):
        encode_action("Originate", "1", {"CallerID": "x\r\nAction: Hangup"})
    with pytest.raises(ValueError):
        encode_action("Originate", "1", [("Bad: key", "v")])
    assert encode_action("Ping", "p1") == b"Action: Ping\r\nActionID: p1\r\n\r\n"
