"""A recorded Asterisk for the live-call tests: a session of `tests/fixtures/asterisk`
played to the real AMI client, each action of ours answered with the recorded answer the
test names for it, and `AsteriskLive` attached to that session."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from agents.live.models import LiveCall, LiveState
from agents.models import CallerLine, RoutedCall
from agents.ports import AgentInfo
from callcenter.telephony.asterisk.live import AsteriskLive
from callcenter.telephony.asterisk.service import AsteriskAmi
from tests.adapters.test_ami_gateway import session
from tests.adapters.test_ami_service import until
from tests.ami_helpers import BANNER, read_action, recorded, response, segments


def agent(agent_id: int = 1, kind: str = "sip", address: str = "1001") -> AgentInfo:
    return AgentInfo(
        agent_id, f"a{agent_id}", f"Agent {agent_id}", kind, address, frozenset(), {}, {}
    )


def live_call(call_id: str, caller_uniqueid: str, **refs: str) -> LiveCall:
    """A call of ours whose caller's channel has that Uniqueid, with these refs noted."""
    line = CallerLine("+8613800138000", "95598", "asterisk", caller_uniqueid)
    return LiveCall(call_id, RoutedCall(line, agent_id=1), agent(), LiveState(1, refs=refs))


@dataclass(frozen=True, slots=True)
class Scripted:
    """An answer the recording does not have (an action it never sent): Asterisk's own
    words, from its source."""

    status: str
    message: str
    then: bytes = b""  # events Asterisk sends right after


Answer = int | Scripted


class Transcript:
    """Plays one recorded session: at login the recorded login answer and the `setup`
    answers (the call being set up, with all their events); then each action of ours gets
    the next answer queued for its kind (a recorded one, its ActionID swapped for ours, or a
    scripted one); `push` plays a recorded answer unasked (the events after it: a hang-up).
    An action nobody expected gets an error, so a test sees it."""

    def __init__(self, name: str, setup: Sequence[int]) -> None:
        server, client = recorded(name)
        self._prefix = name.removeprefix("ami-")
        self._segments = segments(server, client)[1]
        self._client = client
        self._server = server
        self._setup = setup
        self._answers: dict[str, list[Answer]] = defaultdict(list)
        self.sent: list[dict[str, str]] = []
        self._writer: asyncio.StreamWriter | None = None

    def expect(self, action: str, *answers: Answer) -> None:
        self._answers[action].extend(answers)

    def segment(self, number: int, action_id: str | None = None) -> bytes:
        recorded_id = f"{self._prefix}-{number:02d}"
        data = self._segments[recorded_id]
        if action_id is None:
            return data
        return data.replace(
            f"ActionID: {recorded_id}\r\n".encode(), f"ActionID: {action_id}\r\n".encode()
        )

    async def push(self, *numbers: int) -> None:
        assert self._writer is not None
        for number in numbers:
            self._writer.write(self.segment(number))
        await self._writer.drain()

    def recorded_action(self, number: int, **changes: str) -> dict[str, str]:
        """The recording client's action of that number (without ActionID), `changes`
        applied: what ours should be."""
        recorded_id = f"{self._prefix}-{number:02d}"
        for block in self._client.decode().split("\r\n\r\n"):
            fields = dict(line.split(": ", 1) for line in block.split("\r\n") if ": " in line)
            if fields.get("ActionID") == recorded_id:
                del fields["ActionID"]
                return {**fields, **changes}
        raise KeyError(recorded_id)

    def event(self, name: str, channel: str) -> bytes:
        """The first recorded event `name` on `channel`, as Asterisk sent it."""
        for block in self._server.split(b"\r\n\r\n"):
            lines = block.split(b"\r\n")
            if lines[0] == f"Event: {name}".encode() and f"Channel: {channel}".encode() in lines:
                return block + b"\r\n\r\n"
        raise KeyError((name, channel))

    def actions(self, name: str) -> list[dict[str, str]]:
        """Our actions of that kind, without their ActionIDs."""
        return [
            {k: v for k, v in sent.items() if k != "ActionID"}
            for sent in self.sent
            if sent["Action"] == name
        ]

    async def __call__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int
    ) -> None:
        self._writer = writer
        writer.write(BANNER)
        while (got := await read_action(reader)) is not None:
            fields = got[1]
            action, action_id = fields["Action"], fields["ActionID"]
            if action == "Login":
                writer.write(self.segment(1, action_id))
                writer.write(b"".join(self.segment(number) for number in self._setup))
            elif action == "Logoff":
                return
            else:
                self.sent.append(fields)
                writer.write(self._answer(action, action_id))
            await writer.drain()

    def _answer(self, action: str, action_id: str) -> bytes:
        queued = self._answers[action]
        if not queued:
            return response(action_id, "Error", Message=f"no {action} in this test")
        answer = queued.pop(0)
        if isinstance(answer, Scripted):
            return response(action_id, answer.status, Message=answer.message) + answer.then
        return self.segment(answer, action_id)


@contextlib.asynccontextmanager
async def attached(
    transcript: Transcript, live: AsteriskLive | None = None
) -> AsyncIterator[tuple[AsteriskAmi, AsteriskLive]]:
    """An AMI session on the transcript, synced, with `AsteriskLive` attached to it."""
    async with session(transcript) as ami:
        ami.synced = True  # the recordings have no resync
        live = live or AsteriskLive()
        live.attach(ami)
        yield ami, live


async def bridged(ami: AsteriskAmi, uniqueid: str, bridge_prefix: str = "") -> None:
    """Until the channel with that Uniqueid is in a bridge (whose id starts so)."""

    async def check() -> bool:
        channel = ami.tracker.by_uniqueid(uniqueid)
        bridge = channel.bridge if channel is not None else None
        return bridge is not None and bridge.startswith(bridge_prefix)

    await until(check, 5)


async def gone(ami: AsteriskAmi, uniqueid: str) -> None:
    async def check() -> bool:
        return ami.tracker.by_uniqueid(uniqueid) is None

    await until(check, 5)
