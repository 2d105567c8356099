"""Beyond one Redis (issue 17): the routing claims on a 3-node Redis Cluster (every key a
script touches shares the prefix's hash tag, so the claims stay atomic), the app on the
cluster and on a Sentinel-managed master, and the clear refusals of a bad URL or a prefix
without a hash tag."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from callcenter.core.errors import ConfigError
from callcenter.devtools import routing_load
from callcenter.devtools.servers import ServerUnavailableError, redis_cluster, redis_sentinel
from callcenter.state import redis as redis_state
from callcenter.state.acd import RedisRoutingState
from callcenter.state.keys import Keys
from tests.integration import test_routing_state as routing

pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def cluster_url() -> Iterator[str]:
    try:
        with redis_cluster(3) as url:
            yield url
    except ServerUnavailableError as err:
        pytest.skip(str(err))


@pytest_asyncio.fixture
async def state(cluster_url: str) -> AsyncIterator[RedisRoutingState]:
    """The routing state on the cluster, under a hash-tagged prefix."""
    prefix = f"{{cc{uuid.uuid4().hex[:8]}}}:"
    client = redis_state.connect(cluster_url, None, prefix)
    yield RedisRoutingState(client, Keys(prefix))
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


# The routing-state tests, run here against the cluster (the `state` fixture above).
test_snapshot_lists_calls_by_priority_then_time = (
    routing.test_snapshot_lists_calls_by_priority_then_time
)
test_claim_takes_agent_and_call_together_or_not_at_all = (
    routing.test_claim_takes_agent_and_call_together_or_not_at_all
)
test_router_round_offers_by_priority_and_skill = (
    routing.test_router_round_offers_by_priority_and_skill
)
test_offer_timeout_requeues_at_the_head_and_agent_not_ready = (
    routing.test_offer_timeout_requeues_at_the_head_and_agent_not_ready
)
test_requeued_call_stays_behind_higher_priority = (
    routing.test_requeued_call_stays_behind_higher_priority
)
test_abandon_while_queued_and_while_offered = routing.test_abandon_while_queued_and_while_offered
test_snapshot_follows_the_ready_log = routing.test_snapshot_follows_the_ready_log


async def test_the_keys_of_one_deployment_share_one_slot(cluster_url: str) -> None:
    prefix = "{cc-slot}:"
    client = redis_state.connect(cluster_url, None, prefix)
    keys = Keys(prefix)
    names = [keys.acd_ready(), keys.acd_queue("billing"), keys.acd_agent(7), keys.live_call("x")]
    slots = {await client.cluster_keyslot(name) for name in names}  # type: ignore[attr-defined]
    assert len(slots) == 1
    await client.aclose()


def test_a_cluster_prefix_without_a_hash_tag_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"hash tag.*\{cc\}"):
        redis_state.connect("redis+cluster://127.0.0.1:7000", None, "cc:")


@pytest.mark.parametrize(
    "url",
    [
        "redis+cluster://",
        "redis+cluster://localhost",
        "redis+sentinel://127.0.0.1:26379",
        "redis+sentinel://127.0.0.1:26379/svc/x",
        "mongodb://127.0.0.1",
    ],
)
def test_bad_redis_urls_are_refused_with_the_forms_expected(url: str) -> None:
    with pytest.raises(ConfigError, match=r"redis\.url"):
        redis_state.connect(url, None, "{cc}:")


async def test_a_sentinel_url_reaches_the_master_it_names() -> None:
    try:
        with redis_sentinel("cc-master") as url:
            client = redis_state.connect(url)
            await redis_state.ping(client, url)
            await client.set("cc:probe", b"1")
            assert await client.get("cc:probe") == b"1"
            await client.aclose()
    except ServerUnavailableError as err:
        pytest.skip(str(err))


async def test_two_router_processes_on_the_cluster_never_double_assign(cluster_url: str) -> None:
    prefix = f"{{race{uuid.uuid4().hex[:8]}}}:"
    agents, call_count = 200, 1000
    await routing_load.seed(cluster_url, prefix, agents, call_count, routing.T0)
    claims = await routing_load.race(cluster_url, prefix, agents, routing.T0)
    assert routing_load.duplicates(claims) == (0, 0)
    assert sum(len(c) for c in claims) == agents  # every agent got exactly one call
