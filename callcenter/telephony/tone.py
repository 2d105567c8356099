"""The beep played before the caller speaks ("after the tone"): a short sine tone as an
8 kHz 16-bit mono WAV (Twilio plays it by URL; Asterisk has its own `beep`)."""

from __future__ import annotations

import io
import math
import struct
import wave
from functools import cache

RATE = 8000


@cache
def beep_wav(hertz: int = 1000, seconds: float = 0.35) -> bytes:
    """The tone as WAV bytes (computed once)."""
    frames = int(RATE * seconds)
    samples = (
        int(12000 * math.sin(2 * math.pi * hertz * n / RATE) * min(1.0, (frames - n) / 200))
        for n in range(frames)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return buffer.getvalue()
