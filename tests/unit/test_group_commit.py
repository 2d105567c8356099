"""`GroupCommit`: items submitted together share a batch; an item submitted just as a
writer finishes still gets written (it once waited forever); at most `in_flight` batches
are written at a time."""

from __future__ import annotations

import asyncio

from callcenter.storage.group_commit import GroupCommit


async def test_batches_share_items_and_none_is_left_waiting() -> None:
    batches: list[list[int]] = []
    running = [0]
    most = [0]

    async def write(items: list[int]) -> list[int | Exception]:
        running[0] += 1
        most[0] = max(most[0], running[0])
        batches.append(items)
        await asyncio.sleep(0.01)
        running[0] -= 1
        return [i * 2 if i >= 0 else ValueError(str(i)) for i in items]

    group: GroupCommit[int, int] = GroupCommit(write, max_batch=10, in_flight=2)
    assert await asyncio.gather(*(group.submit(i) for i in range(25))) == [i * 2 for i in range(25)]
    assert most[0] <= 2 and len(batches) < 25
    for lanes in (1, 2):  # one at a time, each right after the writer before it ended
        alone: GroupCommit[int, int] = GroupCommit(write, max_batch=10, in_flight=lanes)
        async with asyncio.timeout(1):
            for i in range(5):
                assert await alone.submit(i) == i * 2
    failed = await asyncio.gather(group.submit(-1), group.submit(3), return_exceptions=True)
    assert isinstance(failed[0], ValueError) and failed[1] == 6
