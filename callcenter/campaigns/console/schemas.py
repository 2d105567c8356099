"""The console's REST shapes: the gate's dry run over a target query, the progress chart's
query, and the arrears sequences waiting for approval."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from callcenter.campaigns.schemas import CandidateOut, WindowIn


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PreviewGateIn(_In):
    """A target query to preview for a campaign of `type` (in its daily `window`): the count,
    a sample, and the gate's refusals today among the first candidates (nothing is written)."""

    type: str = Field(max_length=32)
    target: str = Field(max_length=200)
    csv: str | None = None
    sample: int = Field(default=10, ge=0, le=100)
    window: WindowIn | None = None


class PreviewGateOut(BaseModel):
    """How many targets, the first few, and of the first `checked` (at most `limit`) how
    many the gate would refuse now, by reason."""

    count: int
    sample: list[CandidateOut]
    checked: int
    limit: int
    refusals: dict[str, int]


class ChartQuery(_In):
    """The chart's span in minutes up to now, and the language of its words."""

    minutes: int = Field(default=60, ge=5, le=1440)
    lang: Literal["zh-CN", "en-US"] = "zh-CN"


class ApprovalQuery(_In):
    """How many sequences to list."""

    limit: int = Field(default=100, ge=1, le=500)


class AwaitingApprovalOut(BaseModel):
    """An arrears sequence reminded and waiting for approval of the disconnection."""

    model_config = ConfigDict(from_attributes=True)

    account_id: int
    account_no: str
    customer_name: str
    customer_class: str
    arrears: Decimal
    overdue_since: datetime
    updated_at: datetime


class AwaitingApprovalListOut(BaseModel):
    """Sequences waiting for approval, the longest overdue first."""

    sequences: list[AwaitingApprovalOut]
