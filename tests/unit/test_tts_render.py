"""Prompt rendering for Asterisk: the resampler matches plain linear interpolation, prompts
ahead of calls are rendered a few at a time, and a conversion does not hold the loop."""

from __future__ import annotations

import array
import asyncio
import io
import os
import random
import shutil
import threading
import wave
from pathlib import Path

import pytest

from callcenter.telephony.asterisk import tts
from callcenter.telephony.asterisk.tts import RATE, TtsError, render_all, resample


def interpolated(samples: array.array[int], rate: int, to: int) -> list[int]:
    """The reference: output i at input position i·rate/to, between its two neighbours."""
    count = max(1, len(samples) * to // rate)
    last = len(samples) - 1
    out = []
    for i in range(count):
        position = i * rate / to
        j = int(position)
        a, b = samples[min(j, last)], samples[min(j + 1, last)]
        out.append(a + (b - a) * (position - j))
    return [round(x) for x in out]


@pytest.mark.parametrize("rate", [22050, 16000, 11025, 44100, 4000, 8001, 12345])
@pytest.mark.parametrize("length", [1, 2, 3, 7, 441, 1000])
def test_the_resampler_is_linear_interpolation(rate: int, length: int) -> None:
    rng = random.Random(rate * length)
    samples = array.array("h", [rng.randint(-32768, 32767) for _ in range(length)])
    got = resample(samples, rate)
    want = interpolated(samples, rate, RATE)
    assert len(got) == len(want)
    assert max(abs(g - w) for g, w in zip(got, want, strict=True)) <= 1  # rounding only


def test_a_rate_already_right_and_no_samples_are_left_as_they_are() -> None:
    samples = array.array("h", [1, -2, 3])
    assert resample(samples, RATE) is samples
    empty = array.array("h")
    assert resample(empty, 22050) is empty


def wav(rate: int, samples: list[int], channels: int = 1) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setnchannels(channels)
        target.setsampwidth(2)
        target.setframerate(rate)
        target.writeframes(array.array("h", samples).tobytes())
    return out.getvalue()


def test_a_stereo_wav_becomes_8_khz_mono() -> None:
    left = [i * 10 for i in range(441)]
    stereo = [v for x in left for v in (x, -x)]
    with wave.open(io.BytesIO(tts.to_asterisk_wav(wav(22050, stereo, 2)))) as result:
        assert (result.getnchannels(), result.getframerate(), result.getnframes()) == (1, RATE, 160)
        frames = array.array("h", result.readframes(160))
    want = interpolated(array.array("h", left), 22050, RATE)
    assert max(abs(g - w) for g, w in zip(frames, want, strict=True)) <= 1


class CountingTts:
    """A `Tts` whose renders take a moment: how many ran at once, and each text rendered."""

    def __init__(self, fail: str | None = None) -> None:
        self.running = 0
        self.most = 0
        self.rendered: list[str] = []
        self.cancelled = 0
        self._fail = fail

    async def file_for(self, text: str, language: str) -> str:
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await asyncio.sleep(0.01)
            if text == self._fail:
                raise TtsError(f"cannot render {text}")
            self.rendered.append(text)
            return text
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        finally:
            self.running -= 1


async def test_prompts_ahead_of_calls_are_rendered_several_at_a_time() -> None:
    fake = CountingTts()
    prompts = [(f"prompt {i}", "zh") for i in range(9)]
    assert await render_all(fake, prompts) == 9
    assert sorted(fake.rendered) == sorted(text for text, _ in prompts)
    assert fake.most == min(tts.RENDERS_AT_ONCE, 9) > 1


async def test_the_first_failure_stops_the_other_renders_and_is_raised() -> None:
    fake = CountingTts(fail="prompt 0")
    with pytest.raises(TtsError, match="prompt 0"):
        await render_all(fake, [(f"prompt {i}", "zh") for i in range(9)])
    await asyncio.sleep(0.05)
    assert fake.running == 0
    assert fake.cancelled == tts.RENDERS_AT_ONCE - 1
    assert len(fake.rendered) < 9


async def test_a_rendered_prompt_is_converted_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """espeak-ng's output is converted in a thread: a long prompt at call time does not stop
    the loop from serving the other calls."""
    threads: list[threading.Thread] = []
    convert = tts.to_asterisk_wav

    def recording(data: bytes) -> bytes:
        threads.append(threading.current_thread())
        return convert(data)

    async def espeak(*args: object, **kwargs: object) -> FakeProcess:
        return FakeProcess(wav(22050, [0, 100, 200, 300] * 100))

    monkeypatch.setattr(tts, "to_asterisk_wav", recording)
    monkeypatch.setattr(shutil, "which", lambda name: "/bin/" + name)
    monkeypatch.setattr(asyncio, "create_subprocess_exec", espeak)
    path = await tts.EspeakTts(tmp_path).file_for("您好", "zh")
    assert Path(path).with_suffix(".wav").exists()
    assert threads and threads[0] is not threading.main_thread()


class FakeProcess:
    """espeak-ng that prints a WAV."""

    def __init__(self, out: bytes) -> None:
        self._out = out
        self.returncode = 0

    async def communicate(self) -> tuple[bytes, bytes]:
        return self._out, b""


async def test_a_render_given_up_stops_its_espeak_and_closes_its_pipes(tmp_path: Path) -> None:
    """A prompt that fails stops the others: their espeak-ng processes are killed and
    reaped, no pipe is left for the garbage collector (seen as unclosed transports)."""
    script = tmp_path / "espeak-ng"
    script.write_text("#!/bin/sh\nexec sleep 30\n")
    script.chmod(0o755)
    slow = tts.EspeakTts(tmp_path / "prompts", binary=str(script))
    task = asyncio.ensure_future(slow.file_for("您好", "zh"))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    children = [p for p in Path("/proc").glob("[0-9]*") if _parent(p) == os.getpid()]
    assert [p for p in children if "sleep" in _command(p) or "espeak" in _command(p)] == []


def _parent(proc: Path) -> int:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def _command(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


async def test_calls_rendering_at_once_run_a_bounded_number_of_espeak_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many calls needing a prompt with their own amounts at the same moment queue for
    `RENDERS_AT_ONCE` espeak-ng processes instead of taking every core from the loop."""
    running, most = 0, 0

    class Slow(FakeProcess):
        async def communicate(self) -> tuple[bytes, bytes]:
            nonlocal running, most
            running += 1
            most = max(most, running)
            await asyncio.sleep(0.02)
            running -= 1
            return await super().communicate()

    async def espeak(*args: object, **kwargs: object) -> FakeProcess:
        return Slow(wav(22050, [0, 100] * 50))

    monkeypatch.setattr(shutil, "which", lambda name: "/bin/" + name)
    monkeypatch.setattr(asyncio, "create_subprocess_exec", espeak)
    speech = tts.EspeakTts(tmp_path)
    paths = await asyncio.gather(*(speech.file_for(f"电费 {i} 元", "zh") for i in range(10)))
    assert len(set(paths)) == 10
    assert most == tts.RENDERS_AT_ONCE
