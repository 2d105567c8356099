"""A fake Asterisk for the FastAGI server: it connects, sends a recorded AGI environment and
answers each command the way the recorded channel did."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "asterisk"


def recorded_session(name: str) -> tuple[bytes, list[tuple[str, list[str]]]]:
    """(the environment block, [(command, the lines Asterisk answered it with)]) of a
    recorded session; a `HANGUP` note goes with the answer it came before."""
    server = (FIXTURES / f"{name}.txt").read_bytes()
    client = (FIXTURES / f"{name}.client.txt").read_bytes().decode().splitlines()
    env, _, answers = server.partition(b"\n\n")
    lines = answers.decode().splitlines()
    pairs: list[tuple[str, list[str]]] = []
    at = 0
    for cmd in client:
        got = []
        while lines[at] == "HANGUP":
            got.append(lines[at])
            at += 1
        got.append(lines[at])
        at += 1
        pairs.append((cmd, got))
    return env + b"\n\n", pairs


@dataclass
class FakeChannel:
    """Answers GET DATA with the recorded GET DATA answers in order, STREAM FILE like the
    recorded one, anything else with `200 result=1`; once the recorded input is used up the
    caller hangs up (HANGUP, then 511 as Asterisk does on a dead channel)."""

    name: str
    commands: list[str] = field(default_factory=list)
    keys: list[str] | None = None  # instead of the recorded input: keys per GET DATA ("" = none)
    dial_status: str = "ANSWER"
    on_dial: Callable[[str], Awaitable[None]] | None = None  # the agent's phone, say
    variables: dict[str, str] = field(default_factory=dict)  # GET VARIABLE answers
    secret: str = ""  # issue 18: the shared secret put before the recorded script, as the
    # dialplan's AGI(${CALLCENTER_AGI}/ivr) with CALLCENTER_AGI = agi://host:port/<secret>

    async def call(self, port: int, timeout: float = 20) -> None:
        env, pairs = recorded_session(self.name)
        env = with_secret(env, self.secret)
        inputs = [answer for cmd, answer in pairs if cmd.startswith("GET DATA")]
        if self.keys is not None:
            inputs = [[f"200 result={k}" if k else "200 result= (timeout)"] for k in self.keys]
        streams = [answer for cmd, answer in pairs if cmd.startswith("STREAM FILE")]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(env)
        dead = False
        try:
            while line := await asyncio.wait_for(reader.readline(), timeout):
                cmd = line.decode().rstrip("\n")
                self.commands.append(cmd)
                if dead and not cmd.startswith(("SET VARIABLE", "VERBOSE")):
                    answer = ["511 Command Not Permitted on a dead channel or intercept routine"]
                elif cmd.startswith("GET DATA"):
                    answer = inputs.pop(0) if inputs else ["200 result=-1", "HANGUP"]
                elif cmd.startswith("STREAM FILE"):
                    answer = streams[0]
                elif cmd.startswith("EXEC Dial"):
                    if self.on_dial is not None:
                        await self.on_dial(cmd)
                    answer = ["200 result=0"]
                elif cmd.startswith("GET VARIABLE DIALSTATUS"):
                    answer = [f"200 result=1 ({self.dial_status})"]
                elif cmd.startswith("GET VARIABLE ") and cmd.split(" ")[2] in self.variables:
                    answer = [f"200 result=1 ({self.variables[cmd.split(' ')[2]]})"]
                else:
                    answer = ["200 result=1"]
                dead = dead or "HANGUP" in answer or answer == ["200 result=-1"]
                writer.write("".join(f"{a}\n" for a in answer).encode())
                await writer.drain()
        finally:
            writer.close()


def with_secret(env: bytes, secret: str) -> bytes:
    """A recorded environment as Asterisk sends it for `agi://host:port/<secret>/<script>`
    (unchanged without a secret)."""
    if not secret:
        return env
    return re.sub(
        rb"(agi_network_script: |agi_request: agi://[^/\n]+/)", rb"\g<1>%s/" % secret.encode(), env
    )


async def agent_answers(port: int, dial_command: str) -> None:
    """What the Dial's U() subroutine does when the agent picks up: a short AGI request
    `answered` with the call and the agent."""
    found = re.search(r"U\(callcenter-answered\^([^^]+)\^(\d+)\)", dial_command)
    assert found is not None, dial_command
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            "agi_network: yes\nagi_network_script: answered\n"
            "agi_request: agi://127.0.0.1/answered\nagi_channel: PJSIP/1001-00000002\n"
            f"agi_uniqueid: 1795339999.7\nagi_arg_1: {found[1]}\nagi_arg_2: {found[2]}\n\n"
        ).encode()
    )
    await reader.read()  # the server closes when it has taken the answer
    writer.close()
