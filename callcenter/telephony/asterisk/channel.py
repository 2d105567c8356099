"""One FastAGI connection as a channel: commands and their results, the caller's hang-up
told apart from a lost connection, and prompts played with barge-in.

A caller hanging up (`HANGUP`, `511`, `result=-1` on input) raises `CallerHungUp`; the
connection closing without Asterisk saying so raises `SessionLost` (a network end)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from callcenter.telephony.asterisk.agi import (
    MAX_ENV_LINES,
    MAX_LINE,
    AgiProtocolError,
    AgiResult,
    command,
    parse_env,
    parse_result,
)
from callcenter.telephony.asterisk.tts import Tts, TtsError
from ivr_flows import commands as c
from ivr_flows.models import Flow
from ivr_flows.prompts import render as render_prompt

log = logging.getLogger(__name__)
ESCAPE_DIGITS = "0123456789*#"
BEEP = "beep"  # one of Asterisk's core sounds


class CallerHungUp(Exception):
    """The channel is gone."""


class SessionLost(ConnectionError):
    """The FastAGI connection closed without Asterisk saying the channel hung up."""


class AgiChannel:
    """Commands to one channel and their results, over the FastAGI connection."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._timeout = timeout
        self.hung_up = False

    @property
    def connected(self) -> bool:
        """Asterisk's FastAGI connection is still up (an error now came from elsewhere)."""
        reader = self._reader
        return not (reader.at_eof() or reader.exception() or self._writer.is_closing())

    async def read_line(self) -> str:
        line = await self._reader.readline()
        if not line:
            if self.hung_up:
                raise CallerHungUp("connection closed")
            raise SessionLost("connection closed without a hang-up")
        if len(line) > MAX_LINE:
            raise AgiProtocolError("line too long")
        return line.decode("utf-8", "replace").rstrip("\r\n")

    async def run(self, verb: str, *args: str | int) -> AgiResult:
        """Send one command and read its result (a `HANGUP` note on the way is remembered)."""
        if self.hung_up and verb not in ("SET VARIABLE", "VERBOSE"):
            raise CallerHungUp("hung up")
        self._writer.write(command(verb, *args))
        await self._writer.drain()
        while True:
            try:
                line = await asyncio.wait_for(self.read_line(), self._timeout)
            except TimeoutError:
                raise SessionLost(f"Asterisk did not answer {verb} in time") from None
            if line == "HANGUP":
                self.hung_up = True
                continue
            if line.startswith("520-"):
                continue  # usage text, up to the "520 " line
            result = parse_result(line)
            if result.code == 511:
                self.hung_up = True
                raise CallerHungUp(result.text)
            if result.code != 200:
                raise AgiProtocolError(f"{verb}: {line}")
            return result

    async def play(self, files: list[str]) -> str:
        """Play sound files one after the other; a key pressed stops them (barge-in) and is
        returned."""
        for path in files:
            if not path:
                continue
            result = await self.run("STREAM FILE", path, ESCAPE_DIGITS)
            if result.number == -1:
                await self._playback_failed(path)
            elif result.number:
                return chr(result.number)
        return ""

    async def key(self, prompt: str, timeout_ms: int, digits: int = 1) -> str:
        """GET DATA: the keys pressed ("" for none)."""
        result = await self.run("GET DATA", prompt or "silence/1", timeout_ms, digits)
        if result.result == "-1":
            raise CallerHungUp("during input")
        return result.result

    async def _playback_failed(self, path: str) -> None:
        """STREAM FILE answered `result=-1`: the caller hung up, or Asterisk could not play
        the file (missing, unreadable: `endpos=0`). A `HANGUP` already read, or the channel's
        status (`511` on a dead channel), tells which; a failed playback is logged and the
        call goes on (`CallerHungUp` otherwise)."""
        if not self.hung_up:
            status = await self.run("CHANNEL STATUS")  # 511 (dead channel) raises CallerHungUp
            if status.number is not None and status.number >= 0 and not self.hung_up:
                log.warning(
                    "Asterisk could not play %s.wav (missing or unreadable where Asterisk "
                    "runs?); the call goes on without it",
                    path,
                )
                return
        raise CallerHungUp("during a prompt")


class Speaker:
    """Prompts to sound files through the TTS port ("" when one cannot be rendered: the
    caller hears nothing there rather than losing the call)."""

    def __init__(self, tts: Tts, flow: Callable[[str], Flow]) -> None:
        self._tts = tts
        self._flow = flow

    async def prompt(self, say: c.Say) -> str:
        """The sound file of a prompt."""
        text = render_prompt(self._flow(say.flow), say.prompt, say.language, say.params)
        return await self.speak(text, say.language)

    async def prompts(self, says: list[c.Say]) -> list[str]:
        """The sound files of several prompts."""
        return [await self.prompt(say) for say in says]

    async def speak(self, text: str, language: str = "zh-CN") -> str:
        """The sound file of a text."""
        try:
            return await self._tts.file_for(text, language)
        except TtsError as err:
            log.error("prompt %r not rendered: %s", text[:40], err)
            return ""


async def read_env(reader: asyncio.StreamReader) -> dict[str, str]:
    """The AGI environment, up to its empty line."""
    lines: list[str] = []
    while True:
        raw = await reader.readline()
        if not raw:
            raise AgiProtocolError("closed before the AGI environment ended")
        if len(raw) > MAX_LINE or len(lines) > MAX_ENV_LINES:
            raise AgiProtocolError("AGI environment too large")
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            return parse_env(lines)
        lines.append(line)
