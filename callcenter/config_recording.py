"""The `[recording]` settings (issue 16): the retention sweep and where Asterisk's
MixMonitor files are read from."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from agents.models import DEFAULT_RETENTION_DAYS as KEEP_DAYS
from agents.models import MAX_RETENTION_DAYS

# A queue's `recording_retention_days` (`[[routing.queues]]`, the queue admin API).
RetentionDays = Annotated[int, Field(ge=1, le=MAX_RETENTION_DAYS)]
__all__ = ["KEEP_DAYS", "RecordingSettings", "RetentionDays"]


class RecordingSettings(BaseModel):
    """Recordings: past its queue's `recording_retention_days` a recording is deleted at its
    provider by the sweep, run every `retention_sweep_seconds` (0: never) on an instance with
    `[routing] run_router`, `sweep_batch` recordings at a time. `asterisk_dir`: the directory
    MixMonitor writes into (readable by this server), for playback and deletion."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    retention_sweep_seconds: float = Field(default=3600.0, ge=0)
    sweep_batch: int = Field(default=200, ge=1, le=10_000)
    asterisk_dir: str = ""
