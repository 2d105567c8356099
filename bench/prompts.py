"""Prompt rendering for Asterisk (espeak-ng): how long the server's start takes to render the
flows' fixed prompts, what converting espeak-ng's output to 8 kHz costs, and the longest
stall of the event loop while prompts with variables are rendered during calls.

Run: `.venv/bin/python bench/prompts.py [--rounds 5]` (needs espeak-ng).
"""

from __future__ import annotations

import argparse
import array
import asyncio
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave

from callcenter.telephony.asterisk.tts import (
    RENDERS_AT_ONCE,
    EspeakTts,
    render_missing,
    resample,
    static_prompts,
    voice_for,
)
from ivr_flows.loader import default_flow_files, load_flows

SPOKEN = "您好，您的户号 {n} 本月电费 {n}.35 元，已欠费 {n} 天，请于 3 日内缴清，以免停电"


def _speech(text: str, language: str) -> tuple[array.array[int], int]:
    out = subprocess.run(
        ["espeak-ng", "-v", voice_for(language), "--stdout", text], capture_output=True, check=True
    ).stdout
    with wave.open(io.BytesIO(out)) as source:
        return array.array("h", source.readframes(source.getnframes())), source.getframerate()


def conversion(prompts: list[tuple[str, str]]) -> tuple[float, float]:
    """(ms a second of speech, ms for the longest of these prompts)."""
    costs, longest = [], 0.0
    for text, language in prompts:
        samples, rate = _speech(text, language)
        started = time.perf_counter()
        resample(samples, rate)
        spent = time.perf_counter() - started
        costs.append(spent * 1000 / (len(samples) / rate))
        longest = max(longest, spent * 1000)
    return statistics.median(costs), longest


async def start_up(prompts: list[tuple[str, str]]) -> float:
    """Seconds to render every fixed prompt into an empty directory, as a start does."""
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        await render_missing(EspeakTts(directory), prompts)
        return time.perf_counter() - started


async def stall(calls: int) -> float:
    """The event loop's longest stall (ms) while `calls` calls each render a prompt with
    their own amounts at once: a 1 ms ticker measures how late it wakes."""
    worst = 0.0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal worst
        loop = asyncio.get_running_loop()
        while not done.is_set():
            before = loop.time()
            await asyncio.sleep(0.001)
            worst = max(worst, (loop.time() - before - 0.001) * 1000)

    with tempfile.TemporaryDirectory() as directory:
        tts = EspeakTts(directory)
        ticking = asyncio.create_task(ticker())
        texts = [SPOKEN.format(n=1000 + i) for i in range(calls)]
        await asyncio.gather(*(tts.file_for(text, "zh") for text in texts))
        done.set()
        await ticking
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="start-ups timed (median)")
    parser.add_argument("--calls", type=int, default=8, help="calls rendering at once")
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        sys.exit("bench/prompts.py: espeak-ng is not installed (apt-get install espeak-ng)")
    prompts = static_prompts(load_flows(default_flow_files()).values())
    per_second, longest = conversion(prompts)
    print(f"fixed prompts of the flows: {len(prompts)}; rendered {RENDERS_AT_ONCE} at a time")
    print(f"conversion to 8 kHz: {per_second:.2f} ms a second of speech (median), ", end="")
    print(f"{longest:.1f} ms for the longest prompt")
    starts = [asyncio.run(start_up(prompts)) for _ in range(args.rounds)]
    print(f"start-up render of all of them: {statistics.median(starts):.2f} s (median of ", end="")
    print(f"{args.rounds}: {', '.join(f'{s:.2f}' for s in starts)})")
    print(f"longest event-loop stall, {args.calls} calls rendering at once: ", end="")
    print(f"{asyncio.run(stall(args.calls)):.1f} ms")


if __name__ == "__main__":
    main()
