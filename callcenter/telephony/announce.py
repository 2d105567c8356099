"""What a waiting caller hears about the queue, whatever the telephony provider."""

from __future__ import annotations

import math

from agents.models import QueuedInfo


def queue_announcement(info: QueuedInfo) -> str:
    """Position and estimated wait, in Chinese (the hotline's waiting prompts)."""
    text = f"您前面还有{info.position - 1}位客户在等待，"
    if math.isfinite(info.estimated_wait_seconds):
        minutes = max(1, round(info.estimated_wait_seconds / 60))
        return text + f"预计等待约{minutes}分钟，请稍候。"
    return text + "当前坐席繁忙，请稍候。"


CALLBACK_OFFER = "如需保留排队位置并挂机等待回电，请按1。"
CALLBACK_PLACE_KEPT = "已为您保留排队位置，客服代表将尽快回电，请挂机。"
