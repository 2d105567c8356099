"""Campaign attempts on SQLite and PostgreSQL: exclusive claims, the idempotency key, the
compare-and-set transitions, retries, crash reconciliation reads and counts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.outbound_tables import campaign_attempts, campaign_targets
from outbound.models import AttemptResult, AttemptState, RefusalReason
from tests.conftest import NOW
from tests.integration.outbound_helpers import Stores, campaign, stores

LATER = NOW + timedelta(minutes=30)


async def _seeded(engine: AsyncEngine, n: int) -> tuple[Stores, int]:
    """A campaign of `n` targets, each with its first attempt pending since NOW."""
    s = stores(engine)
    campaign_id = await campaign(s, NOW)
    targets = [
        {
            "campaign_id": campaign_id,
            "customer_id": 1000 + i,
            "account_id": 2000 + i,
            "phone": f"+86138{i:08d}",
            "values": {"account_no": f"33{i:08d}"},
            "vulnerable": False,
            "area": "西湖区",
            "disputed": False,
        }
        for i in range(n)
    ]
    async with engine.begin() as conn:
        ids = (
            (await conn.execute(insert(campaign_targets).returning(campaign_targets.c.id), targets))
            .scalars()
            .all()
        )
        attempts = [
            {
                "campaign_id": campaign_id,
                "target_id": target_id,
                "attempt_no": 1,
                "state": "pending",
                "not_before": NOW,
                "created_at": NOW,
                "updated_at": NOW,
            }
            for target_id in ids
        ]
        await conn.execute(insert(campaign_attempts), attempts)
    return s, campaign_id


async def test_concurrent_claimers_never_share_an_attempt(engine: AsyncEngine) -> None:
    s, campaign_id = await _seeded(engine, 60)

    async def claimer(name: str) -> list[int]:
        taken: list[int] = []
        while batch := await s.attempts.claim(campaign_id, 7, NOW, name):
            taken += [attempt.id for attempt, _ in batch]
        return taken

    results = await asyncio.gather(*(claimer(f"dialer-{i}") for i in range(4)))
    everything = [attempt_id for taken in results for attempt_id in taken]
    assert len(everything) == len(set(everything)) == 60


async def test_claim_takes_only_due_attempts_and_returns_their_targets(engine: AsyncEngine) -> None:
    s, campaign_id = await _seeded(engine, 3)
    assert await s.attempts.claim(campaign_id, 10, NOW - timedelta(seconds=1), "d") == []
    claimed = await s.attempts.claim(campaign_id, 2, NOW, "d")
    assert [(a.state, a.attempt_no) for a, _ in claimed] == [(AttemptState.CLAIMED, 1)] * 2
    assert [t.id for a, t in claimed] == [a.target_id for a, _ in claimed]
    assert claimed[0][1].values["account_no"].startswith("33")
    assert len(await s.attempts.claim(campaign_id, 10, NOW, "d")) == 1


async def test_the_idempotency_key_refuses_a_second_attempt(engine: AsyncEngine) -> None:
    s, campaign_id = await _seeded(engine, 1)
    ((attempt, _),) = await s.attempts.claim(campaign_id, 1, NOW, "d")
    duplicate = {
        "campaign_id": campaign_id,
        "target_id": attempt.target_id,
        "attempt_no": 1,
        "state": "pending",
        "not_before": NOW,
        "created_at": NOW,
        "updated_at": NOW,
    }
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(insert(campaign_attempts).values(duplicate))


async def test_transitions_refuse_wrong_states(engine: AsyncEngine) -> None:
    s, campaign_id = await _seeded(engine, 1)
    ((attempt, _),) = await s.attempts.claim(campaign_id, 1, NOW, "d")
    a = s.attempts
    assert await a.mark_placed(attempt.id, "CA1", NOW) is None  # not sending yet
    sending = await a.mark_sending(attempt.id, NOW)
    assert sending is not None and sending.state is AttemptState.SENDING
    assert await a.mark_sending(attempt.id, NOW) is None  # twice
    placed = await a.mark_placed(attempt.id, "CA1", NOW)
    assert placed is not None and placed.provider_id == "CA1"
    assert await a.mark_placed(attempt.id, "CA2", NOW) is None
    done = await a.record_result(attempt.id, AttemptResult.ANSWERED, NOW)
    assert done is not None and (done.state, done.result) == (
        AttemptState.DONE,
        AttemptResult.ANSWERED,
    )
    assert await a.record_result(attempt.id, AttemptResult.BUSY, NOW) is None  # a late webhook
    found = await a.get(attempt.id)
    assert found is not None and found[0].result is AttemptResult.ANSWERED


async def test_a_retry_is_the_next_attempt_due_later(engine: AsyncEngine) -> None:
    s, campaign_id = await _seeded(engine, 1)
    ((attempt, _),) = await s.attempts.claim(campaign_id, 1, NOW, "d")
    await s.attempts.mark_sending(attempt.id, NOW)
    await s.attempts.mark_placed(attempt.id, "CA1", NOW)
    await s.attempts.record_result(attempt.id, AttemptResult.BUSY, NOW, retry_at=LATER)
    assert await s.attempts.claim(campaign_id, 1, NOW, "d") == []
    ((retry, target),) = await s.attempts.claim(campaign_id, 1, LATER, "d")
    assert (retry.attempt_no, retry.not_before, target.id) == (2, LATER, attempt.target_id)


async def test_a_refusal_keeps_its_reason_and_counts_show_where_attempts_stand(
    engine: AsyncEngine,
) -> None:
    s, campaign_id = await _seeded(engine, 5)
    claimed = await s.attempts.claim(campaign_id, 4, NOW, "d")
    (a1, _), (a2, _), (a3, _), (a4, _) = claimed
    await s.attempts.record_result(
        a1.id, AttemptResult.REFUSED, NOW, reason=RefusalReason.OPTED_OUT
    )
    await s.attempts.mark_sending(a2.id, NOW)
    await s.attempts.mark_sending(a3.id, NOW)
    await s.attempts.mark_placed(a3.id, "CA3", NOW)
    await s.attempts.record_result(a3.id, AttemptResult.NO_ANSWER, NOW, retry_at=LATER)
    counts = await s.attempts.counts(campaign_id, NOW)
    assert counts.targets == 5
    assert counts.results == {"no_answer": 1}
    assert counts.refused == {"opted-out": 1}
    assert counts.waiting == {"sending": 1, "claimed": 1, "due": 1, "retry-later": 1}
    assert await s.attempts.waiting(campaign_id, NOW) == counts.waiting  # the cheap read
    later = {"sending": 1, "claimed": 1, "due": 2}  # the retry is due then
    assert await s.attempts.waiting(campaign_id, LATER) == later
    assert a4.state is AttemptState.CLAIMED


async def test_after_a_crash_claims_are_released_and_sends_are_found(engine: AsyncEngine) -> None:
    s, campaign_id = await _seeded(engine, 3)
    (a1, t1), (a2, _), _ = await s.attempts.claim(campaign_id, 3, NOW, "d")
    await s.attempts.mark_sending(a1.id, NOW)
    await s.attempts.mark_sending(a2.id, NOW)
    await s.attempts.mark_placed(a2.id, "CA2", NOW)
    stuck = await s.attempts.stuck_sending(campaign_id)
    assert [(a.id, t.id) for a, t in stuck] == [(a1.id, t1.id)]
    assert await s.attempts.release_claims(campaign_id, LATER) == 1
    again = await s.attempts.claim(campaign_id, 10, LATER, "d2")
    assert len(again) == 1  # the never-sent one only; the one in sending is not redialled
    uncertain = await s.attempts.record_result(a1.id, AttemptResult.UNCERTAIN, LATER)
    assert uncertain is not None and uncertain.result is AttemptResult.UNCERTAIN


async def test_attempts_are_found_by_provider_id_and_call(engine: AsyncEngine) -> None:
    s, campaign_id = await _seeded(engine, 1)
    ((attempt, _),) = await s.attempts.claim(campaign_id, 1, NOW, "d")
    await s.attempts.mark_sending(attempt.id, NOW)
    await s.attempts.mark_placed(attempt.id, "CA9", NOW)
    await s.attempts.link_call(attempt.id, "01JCALL0000000000000000000")
    by_provider = await s.attempts.find_by_provider("CA9")
    by_call = await s.attempts.find_by_call("01JCALL0000000000000000000")
    assert by_provider is not None and by_call is not None
    assert by_provider[0].id == by_call[0].id == attempt.id
    assert by_call[0].call_id == "01JCALL0000000000000000000"
    assert await s.attempts.find_by_provider("nope") is None
