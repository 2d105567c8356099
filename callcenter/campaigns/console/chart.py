"""The progress chart of a campaign as a small hand-written SVG: one stacked bar per minute
of finished attempts by result, with times on the axis in the server's time zone. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 150, 10, 30
# One colour per result (others grey); the legend lists the results shown.
COLOURS = {
    "confirmed": "#1a7f37",
    "answered": "#2da44e",
    "machine": "#8250df",
    "busy": "#bf8700",
    "no_answer": "#d4a72c",
    "failed": "#cf222e",
    "refused": "#6e7781",
    "uncertain": "#953800",
    "opted_out": "#0969da",
    "abandoned": "#fa4549",
    "skipped": "#afb8c1",
}
OTHER = "#999999"
# The chart's words per page language (a result without a label shows as its code).
WORDS = {
    "zh-CN": {
        "empty": "暂无结果",
        "confirmed": "已确认",
        "answered": "已接听",
        "machine": "语音信箱",
        "busy": "忙",
        "no_answer": "无应答",
        "failed": "失败",
        "refused": "拦截",
        "uncertain": "待核实",
        "opted_out": "拒收",
        "abandoned": "放弃",
        "skipped": "跳过",
    },
    "en-US": {
        "empty": "No results yet",
        "confirmed": "Confirmed",
        "answered": "Answered",
        "machine": "Machine",
        "busy": "Busy",
        "no_answer": "No answer",
        "failed": "Failed",
        "refused": "Refused",
        "uncertain": "Uncertain",
        "opted_out": "Opted out",
        "abandoned": "Abandoned",
        "skipped": "Skipped",
    },
}

Buckets = Mapping[datetime, Mapping[str, int]]


def _bars(buckets: Buckets, start: datetime, minutes: int, peak: int) -> list[str]:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bar_w = plot_w / minutes
    out = []
    for minute, counts in sorted(buckets.items()):
        index = int((minute - start).total_seconds() // 60)
        if not 0 <= index < minutes:
            continue
        y = float(TOP + plot_h)
        for result, n in sorted(counts.items()):
            h = plot_h * n / peak
            y -= h
            out.append(
                f'<rect class="bar" x="{LEFT + index * bar_w:.1f}" y="{y:.1f}" '
                f'width="{max(bar_w - 1, 1):.1f}" height="{h:.1f}" '
                f'fill="{COLOURS.get(result, OTHER)}" data-result={quoteattr(result)}>'
                f"<title>{escape(result)}: {n}</title></rect>"
            )
    return out


def _axis(start: datetime, minutes: int, peak: int, zone: ZoneInfo) -> list[str]:
    bottom = HEIGHT - BOTTOM
    out = [
        f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" stroke="#333"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="#333"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 10}" text-anchor="end">{peak}</text>',
        f'<text x="{LEFT - 4}" y="{bottom}" text-anchor="end">0</text>',
    ]
    for tick in range(0, minutes + 1, max(1, minutes // 6)):
        at = (start + timedelta(minutes=tick)).astimezone(zone)
        x = LEFT + (WIDTH - LEFT - RIGHT) * tick / minutes
        out.append(f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle">{at:%H:%M}</text>')
    return out


def _legend(results: Sequence[str], words: Mapping[str, str]) -> list[str]:
    out = []
    for row, result in enumerate(results):
        y = TOP + row * 16
        colour, x = COLOURS.get(result, OTHER), WIDTH - RIGHT + 10
        out.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="{y + 9}">{escape(words.get(result, result))}</text>')
    return out


def progress_svg(buckets: Buckets, start: datetime, minutes: int, zone: ZoneInfo, lang: str) -> str:
    """The chart of `minutes` minutes from `start` (UTC minute), in the words of `lang`;
    it says so when no attempt finished in that time."""
    words = WORDS[lang]
    peak = max((sum(c.values()) for c in buckets.values()), default=0)
    parts = _axis(start, minutes, max(peak, 1), zone)
    if peak == 0:
        x, y = (WIDTH - RIGHT + LEFT) // 2, HEIGHT // 2
        parts.append(f'<text class="empty" x="{x}" y="{y}" text-anchor="middle">')
        parts.append(escape(words["empty"]) + "</text>")
    else:
        parts += _bars(buckets, start, minutes, peak)
        parts += _legend(sorted({r for c in buckets.values() for r in c if c[r]}), words)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11" '
        f'role="img" data-peak="{peak}">' + "".join(parts) + "</svg>"
    )
