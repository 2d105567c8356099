"""A fixed path (`/api/agents/me`) answers for its own methods only, though a template path
(`/api/agents/{agent_id}`) matches it too: another method is a 405 whose Allow header names
the fixed path's methods (issue 18: PATCH was a 400 invalid-id, OPTIONS listed PATCH)."""

from __future__ import annotations

import pytest

from callcenter.core.api import Role
from tests.integration.admin_helpers import Client, app_client, staff

client = app_client


@pytest.mark.parametrize("method", ["PATCH", "OPTIONS", "DELETE"])
async def test_another_method_on_a_fixed_path_is_a_405_naming_its_methods(
    client: Client, method: str
) -> None:
    _, auth = await staff(client, Role.ADMIN)
    resp = await client.request(method, "/api/agents/me", headers=auth)
    assert resp.status == 405
    assert resp.headers["Allow"] == "GET,HEAD"
    assert (await resp.json())["error"]["code"] == "method-not-allowed"
