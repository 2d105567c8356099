"""Text prompts as sound files Asterisk can play: rendered once by espeak-ng, resampled to
8 kHz 16-bit mono WAV, cached under a name made from a hash of language and text.

`STREAM FILE` and `GET DATA` take the path without its extension; Asterisk adds `.wav`.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import hashlib
import io
import logging
import os
import shutil
import sys
import wave
from collections.abc import Iterable
from math import gcd
from pathlib import Path
from typing import Protocol

from ivr_flows.models import Flow
from ivr_flows.prompts import render

log = logging.getLogger(__name__)

RATE = 8000
VOICES = {"zh": "cmn", "en": "en-us"}
RENDER_TIMEOUT_SECONDS = 30
WEIGHT_BITS = 15  # the interpolation's fixed-point weights
HALF = 1 << (WEIGHT_BITS - 1)  # rounds them to the nearest
# Prompts rendered at once ahead of calls: espeak-ng runs in processes of its own
RENDERS_AT_ONCE = max(2, os.cpu_count() or 1)


class TtsError(Exception):
    """A prompt could not be rendered (espeak-ng missing or failing)."""


class Tts(Protocol):
    """Speech for the PBX: a sound file path (no extension) for a text in a language."""

    async def file_for(self, text: str, language: str) -> str: ...


def voice_for(language: str) -> str:
    """The espeak-ng voice for a language tag (zh-CN -> cmn, en-US -> en-us)."""
    return VOICES.get(language.split("-")[0].lower(), language.lower())


def cache_name(text: str, language: str) -> str:
    """The cache file's name (without extension) for a text in a language."""
    return hashlib.sha256(f"{language}\n{text}".encode()).hexdigest()[:32]


def resample(samples: array.array[int], rate: int, to: int = RATE) -> array.array[int]:
    """16-bit mono samples from `rate` to `to` Hz, by linear interpolation.

    Output sample i lies at input position i·rate/to. Those positions repeat their fraction
    every `to/g` outputs (g = gcd(rate, to); 160 outputs per 441 inputs from espeak-ng's
    22,050 Hz), so the outputs are made phase by phase from strided slices, which run in C:
    about 5 times faster than a loop over every output sample."""
    if rate == to or not samples:
        return samples
    count = max(1, len(samples) * to // rate)
    common = gcd(rate, to)
    period_in, period_out = rate // common, to // common
    padded = samples + samples[-1:]  # the last sample's successor is itself
    out = array.array("h", bytes(2 * count))
    for phase in range(min(period_out, count)):
        n = len(range(phase, count, period_out))
        first, rest = divmod(phase * rate, to)
        weight = ((rest << WEIGHT_BITS) + to // 2) // to  # the fraction, in fixed point
        before = padded[first : first + period_in * n : period_in]
        if weight:
            after = padded[first + 1 : first + 1 + period_in * n : period_in]
            pairs = zip(before, after, strict=True)
            before = array.array(
                "h", [a + ((b - a) * weight + HALF >> WEIGHT_BITS) for a, b in pairs]
            )
        out[phase::period_out] = before
    return out


def to_asterisk_wav(data: bytes) -> bytes:
    """Any 16-bit PCM WAV as 8 kHz mono 16-bit WAV."""
    with wave.open(io.BytesIO(data)) as source:
        if source.getsampwidth() != 2:
            raise TtsError("expected 16-bit PCM from espeak-ng")
        channels, rate = source.getnchannels(), source.getframerate()
        samples = array.array("h", source.readframes(source.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    if channels > 1:
        samples = array.array("h", samples[::channels])
    converted = resample(samples, rate)
    if sys.byteorder == "big":
        converted.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setnchannels(1)
        target.setsampwidth(2)
        target.setframerate(RATE)
        target.writeframes(converted.tobytes())
    return out.getvalue()


def static_prompts(flows: Iterable[Flow]) -> list[tuple[str, str]]:
    """(text, language) of every prompt of these flows that has no template variables, in
    each language it is written in: what can be rendered before any call."""
    found: dict[tuple[str, str], None] = {}
    for flow in flows:
        for key, by_language in flow.prompts.items():
            for language, template in by_language.items():
                if "{{" not in template and "{%" not in template:
                    found[(render(flow, key, language, {}), language)] = None
    return list(found)


async def render_all(tts: Tts, prompts: Iterable[tuple[str, str]]) -> int:
    """Render prompts ahead of calls, `RENDERS_AT_ONCE` at a time; how many. The first
    failure stops the others and is raised."""
    todo = iter(list(prompts))  # shared: each renderer takes the next prompt left
    done = 0

    async def renderer() -> None:
        nonlocal done
        for text, language in todo:
            await tts.file_for(text, language)
            done += 1

    renderers = [asyncio.ensure_future(renderer()) for _ in range(RENDERS_AT_ONCE)]
    try:
        await asyncio.gather(*renderers)
    finally:
        for task in renderers:
            task.cancel()
        await asyncio.gather(*renderers, return_exceptions=True)  # their espeak-ng stopped
    return done


async def _stopped(proc: asyncio.subprocess.Process) -> None:
    """Kill espeak-ng and wait for it and its pipes to close."""
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    await proc.communicate()


async def render_missing(tts: EspeakTts, prompts: Iterable[tuple[str, str]]) -> int:
    """Before serving calls: render the prompts that have no sound file yet; how many. Raises
    `TtsError` when some are missing and espeak-ng is not there to render them."""
    todo = list(prompts)
    missing = tts.missing(todo)
    if missing and not tts.available():
        raise TtsError(
            f"{len(missing)} of {len(todo)} prompts are missing in {tts.directory} and "
            f"{tts.binary} is not installed (apt-get install espeak-ng, or run "
            "`callcenter prompts render` where it is, into a directory shared with this server)"
        )
    if not tts.available():
        log.warning(
            "%s is not installed: prompts with variables (amounts, dates) cannot be spoken",
            tts.binary,
        )
    return await render_all(tts, missing)


class EspeakTts:
    """`Tts` with espeak-ng (Debian package `espeak-ng`) and a file cache."""

    def __init__(self, cache_dir: str | Path, binary: str = "espeak-ng") -> None:
        self._dir = Path(cache_dir)
        self._binary = binary
        self._locks: dict[str, asyncio.Lock] = {}
        # espeak-ng processes at once: more calls wait their turn rather than take the cores
        # from the event loop
        self._renders = asyncio.Semaphore(RENDERS_AT_ONCE)

    @property
    def directory(self) -> Path:
        """Where the sound files are."""
        return self._dir

    @property
    def binary(self) -> str:
        """The espeak-ng program's name."""
        return self._binary

    def available(self) -> bool:
        """Whether espeak-ng can be run here."""
        return shutil.which(self._binary) is not None

    def missing(self, prompts: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Those of the (text, language) prompts that have no sound file yet."""
        return [
            (text, language)
            for text, language in prompts
            if not (self._dir / cache_name(text, language)).with_suffix(".wav").exists()
        ]

    async def file_for(self, text: str, language: str) -> str:
        name = cache_name(text, language)
        path = self._dir / name
        if (path.with_suffix(".wav")).exists():
            return str(path)
        lock = self._locks.setdefault(name, asyncio.Lock())
        async with lock, self._renders:
            if not path.with_suffix(".wav").exists():
                await self._render(text, language, path)
        self._locks.pop(name, None)
        return str(path)

    async def _render(self, text: str, language: str, path: Path) -> None:
        binary = shutil.which(self._binary)
        if binary is None:
            raise TtsError(f"{self._binary} is not installed (apt-get install espeak-ng)")
        proc = await asyncio.create_subprocess_exec(
            binary,
            "-v",
            voice_for(language),
            "--stdout",
            text,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), RENDER_TIMEOUT_SECONDS)
        except TimeoutError:
            await _stopped(proc)
            raise TtsError(f"{self._binary} took over {RENDER_TIMEOUT_SECONDS} s") from None
        except asyncio.CancelledError:
            await _stopped(proc)  # its caller gave up (another prompt failed)
            raise
        if proc.returncode != 0 or not out:
            raise TtsError(f"{self._binary} failed: {err.decode(errors='replace')[:200]}")
        self._dir.mkdir(parents=True, exist_ok=True)
        final = path.with_suffix(".wav")
        partial = path.with_suffix(f".{os.getpid()}.part")
        # in a thread: a long prompt's conversion lets the loop serve other calls meanwhile
        partial.write_bytes(await asyncio.to_thread(to_asterisk_wav, out))
        partial.replace(final)
        log.debug("rendered %s prompt to %s", language, final)
