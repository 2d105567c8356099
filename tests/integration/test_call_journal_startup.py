"""Issue 17: a server started with a non-empty call journal replays it before serving, and
exposes the backlog for `/readyz`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient

from callcenter.app import create_app
from callcenter.calls.models import CallEvent, CallEventType, CallState, ProviderRef
from callcenter.core.clock import ManualClock
from callcenter.core.ids import new_id
from callcenter.storage.journal import FileCallJournal
from callcenter.web.journal import JOURNAL_BACKLOG
from callcenter.web.keys import CALLS
from tests.conftest import NOW, app_settings

E = CallEventType
MakeClient = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


async def _journal_one_call(directory: Path) -> str:
    """What a process killed during an outage left: a call started and queued."""
    call_id = new_id(NOW)
    journal = FileCallJournal(directory)
    started = {"direction": "inbound", "from_number": "+8613800138000", "to_number": "95598"}
    first = CallEvent(call_id, 1, NOW, E.STARTED, started)
    await journal.append(call_id, [first], ProviderRef("twilio", "CAjournal"), opens=True)
    entered = CallEvent(call_id, 2, NOW, E.IVR_ENTERED, {})
    await journal.append(
        call_id, [entered, CallEvent(call_id, 3, NOW, E.QUEUED, {"queue": "general"})]
    )
    await journal.close()
    return call_id


async def test_a_non_empty_journal_is_replayed_before_serving(
    aiohttp_client: MakeClient, stores: tuple[str, str], tmp_path: Path
) -> None:
    directory = tmp_path / "journal"
    call_id = await _journal_one_call(directory)
    settings = app_settings(stores, CALLCENTER_STORAGE__JOURNAL_DIR=str(directory))
    app = create_app(settings, clock=ManualClock(NOW))
    client = await aiohttp_client(app)

    assert app[JOURNAL_BACKLOG].pending() == 0
    detail = await app[CALLS].detail(call_id)
    assert detail.record.state is CallState.QUEUED
    assert [e.seq for e in detail.events] == [1, 2, 3]
    found = await app[CALLS].find_by_provider(ProviderRef("twilio", "CAjournal"))
    assert found is not None and found.id == call_id
    assert (await client.get("/readyz")).status == 200
    assert all(path.stat().st_size == 0 for path in directory.glob("*.jsonl"))
