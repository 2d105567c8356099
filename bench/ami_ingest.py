"""Benchmark: AMI events in over loopback, parsed and dispatched.

    python bench/ami_ingest.py [--events 500000]

A server process sends the AMI banner, accepts the login, then the event blocks of the
recorded inbound call (tests/fixtures/asterisk/ami-inbound-ivr-queue.txt, recorded from
Asterisk 22) repeated to `--events` events, then a last marker event. The same bytes go, in
the same run, to (a) our asyncio client, each event applied to the channel tracker (the call
state), noisy events (VarSet, Newexten…) dropped by name before parsing, and (b) the
`asterisk-ami` library's client (threaded) with an event listener that counts, once with
its defaults (1 KiB reads) and once with 64 KiB reads. Time runs from the login answer to
the marker. Prints events/s for each and the ratio ours / the faster of theirs.
Targets (issue 5): >= 50,000 events/s with call-state updates, >= 1.2 x asterisk-ami.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import re
import socket
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callcenter.telephony.asterisk.ami import AmiClient, AmiSettings  # noqa: E402
from callcenter.telephony.asterisk.channels import ChannelTracker  # noqa: E402
from callcenter.telephony.asterisk.codec import Message  # noqa: E402

TRANSCRIPT = ROOT / "tests" / "fixtures" / "asterisk" / "ami-inbound-ivr-queue.txt"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
MARKER = b"Event: BenchDone\r\nPrivilege: system,all\r\n\r\n"


def payload(events: int) -> bytes:
    """The recorded event blocks, repeated to `events` events, then the marker."""
    blocks = [
        block + b"\r\n\r\n"
        for block in TRANSCRIPT.read_bytes()[len(BANNER) :].split(b"\r\n\r\n")
        if block.startswith(b"Event: ")
    ]
    whole, rest = divmod(events, len(blocks))
    return b"".join(blocks) * whole + b"".join(blocks[:rest]) + MARKER


def serve(port_out: multiprocessing.Queue[int], data: bytes, connections: int) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port_out.put(server.getsockname()[1])
        for _ in range(connections):
            conn, _ = server.accept()
            with conn:
                conn.sendall(BANNER)
                login = b""
                while b"\r\n\r\n" not in login:
                    login += conn.recv(4096)
                found = re.search(rb"ActionID: ([^\r]*)", login)
                action_id = found.group(1) if found else b""
                conn.sendall(
                    b"Response: Success\r\nActionID: "
                    + action_id
                    + b"\r\nMessage: Authentication accepted\r\n\r\n"
                )
                conn.sendall(data)
                conn.shutdown(socket.SHUT_WR)
                while conn.recv(65536):
                    pass


async def ours(port: int) -> tuple[float, int]:
    tracker = ChannelTracker()
    seen = 0
    started = 0.0
    done = asyncio.Event()

    def on_event(event: Message) -> None:
        nonlocal seen
        if event.name == "BenchDone":
            done.set()
            return
        seen += 1
        tracker.apply(event)

    async def on_connect() -> None:
        nonlocal started
        started = time.perf_counter()

    client = AmiClient(
        AmiSettings("127.0.0.1", port, "bench", "bench", ping_seconds=3600),
        on_event,
        on_connect=on_connect,
    )
    task = asyncio.create_task(client.run())
    await done.wait()
    seconds = time.perf_counter() - started
    client._closing = True  # the server closes after the marker: no reconnect
    task.cancel()
    return seconds, seen + client.dropped


def theirs(port: int, buffer_size: int | None) -> tuple[float, int]:
    from asterisk.ami import AMIClient

    options = {} if buffer_size is None else {"buffer_size": buffer_size}
    client = AMIClient(address="127.0.0.1", port=port, timeout=30, **options)
    done = threading.Event()
    seen = 0

    def on_event(event: object, source: object) -> None:
        nonlocal seen
        if getattr(event, "name", "") == "BenchDone":
            done.set()
        else:
            seen += 1

    client.add_event_listener(on_event)
    logged_in = threading.Event()
    started = 0.0

    def on_login(response: object) -> None:
        nonlocal started
        started = time.perf_counter()
        logged_in.set()

    client.login(username="bench", secret="bench", callback=on_login)
    done.wait(600)
    seconds = time.perf_counter() - started
    client.disconnect()
    return seconds, seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500_000)
    args = parser.parse_args()
    data = payload(args.events)
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports, data, 3), daemon=True)
    server.start()
    port = ports.get(timeout=30)
    print(f"{args.events:,} events, {len(data) / 1e6:.1f} MB, over loopback")
    seconds, seen = asyncio.run(ours(port))
    mine = seen / seconds
    print(
        f"(a) ours, with call-state updates: {seen:,} events in {seconds:.2f} s = {mine:,.0f}/s"
        " (noisy ones dropped by name before parsing)"
    )
    rates = []
    for label, size in (("defaults, 1 KiB reads", None), ("64 KiB reads", 65536)):
        seconds, seen = theirs(port, size)
        rates.append(seen / seconds)
        print(f"(b) asterisk-ami, {label}: {seen:,} events in {seconds:.2f} s = {rates[-1]:,.0f}/s")
    print(f"ratio ours / faster asterisk-ami: {mine / max(rates):.2f}")
    server.join(10)


if __name__ == "__main__":
    main()
