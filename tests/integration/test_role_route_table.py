"""Who may call what, as one explicit table: every `/api/...` route (method and path
template) with the roles allowed, or PUBLIC. The test walks the app's router and fails on a
route missing from the table or a row whose route is gone; then, for each route and role, a
request with a token of that role is refused with 403 `forbidden` when the role is not
allowed and gets past the role check when it is; without a token, 401 except on public
routes. The requests are harmless (id 0, an empty body): the check runs before the handler.

Routes outside `/api/` pass no role check at all, so they are listed too (with why), and a
new one fails the test until someone decides it belongs there."""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from callcenter.core.api import Role
from callcenter.web.keys import AUTH
from tests.integration.admin_helpers import Client, app_client

Roles = frozenset[Role] | None
PUBLIC: Roles = None
ALL = frozenset(Role)
AGENT = frozenset({Role.AGENT})
ADMIN = frozenset({Role.ADMIN})
STAFF = frozenset({Role.SUPERVISOR, Role.OPERATOR, Role.ADMIN})
SUPERVISION = frozenset({Role.SUPERVISOR, Role.ADMIN})
OPERATIONS = frozenset({Role.OPERATOR, Role.ADMIN})
DESK_OUTCOME = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})

# (method, path template) -> who may call it. HEAD goes with GET. One line per route.
TABLE: dict[tuple[str, str], Roles] = {
    ("POST", "/api/auth/login"): PUBLIC,
    ("GET", "/api/openapi.json"): PUBLIC,
    ("POST", "/api/auth/logout"): ALL,
    # users and tokens (issue 18)
    ("POST", "/api/users/{user_id}/unlock"): ADMIN,
    ("GET", "/api/users"): ADMIN,
    ("PATCH", "/api/users/{user_id}"): ADMIN,
    ("POST", "/api/users/{user_id}/revoke-tokens"): ADMIN,
    ("GET", "/api/tokens"): ADMIN,
    ("POST", "/api/tokens"): ADMIN,
    ("DELETE", "/api/tokens/{token_id}"): ADMIN,
    ("GET", "/api/audit"): ADMIN,
    ("GET", "/api/audit/export"): ADMIN,
    # calls, customers, recordings
    ("GET", "/api/calls"): STAFF,
    ("GET", "/api/calls/{call_id}"): ALL,
    ("POST", "/api/calls/{call_id}/monitor"): SUPERVISION,
    ("GET", "/api/calls/{call_id}/recording"): SUPERVISION,
    ("GET", "/api/customers/lookup"): ALL,
    # tickets, calendars
    ("GET", "/api/tickets"): ALL,
    ("POST", "/api/tickets"): ALL,
    ("GET", "/api/tickets/taxonomy"): ALL,
    ("GET", "/api/tickets/sla-summary"): SUPERVISION,
    ("GET", "/api/tickets/callbacks/due"): ALL,
    ("GET", "/api/tickets/{ticket_id}"): ALL,
    ("PATCH", "/api/tickets/{ticket_id}"): ALL,
    ("POST", "/api/tickets/{ticket_id}/comments"): ALL,
    ("POST", "/api/tickets/{ticket_id}/calls"): ALL,
    ("POST", "/api/tickets/{ticket_id}/close"): ALL,
    ("POST", "/api/tickets/{ticket_id}/milestones"): ALL,
    ("POST", "/api/tickets/{ticket_id}/callbacks"): ALL,
    ("GET", "/api/calendars"): STAFF,
    ("GET", "/api/calendars/{year}"): STAFF,
    ("PUT", "/api/calendars/{year}"): OPERATIONS,
    ("DELETE", "/api/calendars/{year}"): OPERATIONS,
    # the agent's own desk
    ("GET", "/api/agents/me"): AGENT,
    ("POST", "/api/agents/me/login"): AGENT,
    ("POST", "/api/agents/me/logout"): AGENT,
    ("PUT", "/api/agents/me/state"): AGENT,
    ("POST", "/api/agents/me/offers/{call_id}/accept"): AGENT,
    ("POST", "/api/agents/me/offers/{call_id}/decline"): AGENT,
    ("POST", "/api/agents/me/previews/{call_id}/dial"): AGENT,
    ("POST", "/api/agents/me/previews/{call_id}/skip"): AGENT,
    ("POST", "/api/agents/me/hang-up"): AGENT,
    ("POST", "/api/agents/me/transfer"): AGENT,
    ("POST", "/api/agents/me/wrap-up"): AGENT,
    ("GET", "/api/agents/me/voice-token"): AGENT,
    ("GET", "/api/agents/me/softphone"): AGENT,
    ("PUT", "/api/agents/me/device"): AGENT,
    ("GET", "/api/agents/me/call"): AGENT,
    ("POST", "/api/agents/me/call/hold"): AGENT,
    ("POST", "/api/agents/me/call/resume"): AGENT,
    ("POST", "/api/agents/me/call/consult"): AGENT,
    ("POST", "/api/agents/me/call/consult/complete"): AGENT,
    ("POST", "/api/agents/me/call/consult/cancel"): AGENT,
    ("POST", "/api/agents/me/call/consult/conference"): AGENT,
    ("POST", "/api/agents/me/call/recording/pause"): AGENT,
    ("POST", "/api/agents/me/call/recording/resume"): AGENT,
    # supervision and administration of agents and queues
    ("GET", "/api/stats/realtime"): STAFF,
    ("GET", "/api/agents"): SUPERVISION,
    ("POST", "/api/agents"): ADMIN,
    ("PATCH", "/api/agents/{agent_id}"): ADMIN,
    ("PUT", "/api/agents/{agent_id}/state"): SUPERVISION,
    ("POST", "/api/agents/{agent_id}/logout"): SUPERVISION,
    ("GET", "/api/agents/{agent_id}/events"): SUPERVISION,
    ("GET", "/api/queues"): STAFF,
    ("POST", "/api/queues"): ADMIN,
    ("PATCH", "/api/queues/{name}"): ADMIN,
    # outbound campaigns and their rules
    ("GET", "/api/campaigns"): STAFF,
    ("POST", "/api/campaigns"): OPERATIONS,
    ("POST", "/api/campaigns/preview"): OPERATIONS,
    ("POST", "/api/campaigns/preview-gate"): OPERATIONS,
    ("GET", "/api/campaigns/{campaign_id}"): STAFF,
    ("GET", "/api/campaigns/{campaign_id}/preview"): OPERATIONS,
    ("POST", "/api/campaigns/{campaign_id}/start"): OPERATIONS,
    ("POST", "/api/campaigns/{campaign_id}/pause"): OPERATIONS,
    ("POST", "/api/campaigns/{campaign_id}/resume"): OPERATIONS,
    ("POST", "/api/campaigns/{campaign_id}/cancel"): OPERATIONS,
    ("GET", "/api/campaigns/{campaign_id}/pacing"): STAFF,
    ("GET", "/api/campaigns/{campaign_id}/progress.svg"): STAFF,
    ("GET", "/api/campaigns/{campaign_id}/attempts"): STAFF,
    ("GET", "/api/campaigns/{campaign_id}/attempts.csv"): STAFF,
    ("GET", "/api/campaigns/attempts/{key}/disposition"): ALL,
    ("POST", "/api/campaigns/attempts/{key}/disposition"): DESK_OUTCOME,
    ("GET", "/api/opt-outs"): STAFF,
    ("POST", "/api/opt-outs"): STAFF,
    ("DELETE", "/api/opt-outs/{phone}"): ADMIN,
    ("GET", "/api/area-suspensions"): STAFF,
    ("POST", "/api/area-suspensions"): STAFF,
    ("POST", "/api/area-suspensions/{suspension_id}/end"): STAFF,
    ("GET", "/api/arrears/{account_id}"): STAFF,
    ("POST", "/api/arrears/{account_id}/steps"): STAFF,
    ("GET", "/api/arrears-approvals"): STAFF,
    ("POST", "/api/accounts/{account_id}/payments"): STAFF,
    # outages, the simulator
    ("GET", "/api/outages"): STAFF,
    ("POST", "/api/outages"): OPERATIONS,
    ("GET", "/api/outages/{outage_id}"): STAFF,
    ("PATCH", "/api/outages/{outage_id}"): OPERATIONS,
    ("GET", "/api/simulator/calls/{call_sid}/next"): OPERATIONS,
    # outgoing webhooks
    ("GET", "/api/webhooks"): ADMIN,
    ("POST", "/api/webhooks"): ADMIN,
    ("GET", "/api/webhooks/{webhook_id}"): ADMIN,
    ("PATCH", "/api/webhooks/{webhook_id}"): ADMIN,
    ("DELETE", "/api/webhooks/{webhook_id}"): ADMIN,
    ("GET", "/api/webhooks/{webhook_id}/deliveries"): ADMIN,
    ("POST", "/api/webhooks/deliveries/{delivery_id}/redeliver"): ADMIN,
}

# Outside /api/ no role is checked: pages (their data comes from the API), sockets (a
# token in their first message), Twilio's webhooks (signed), probes and files.
OUTSIDE_API = frozenset(
    {
        ("GET", "/desk"),
        ("GET", "/wallboard"),
        ("GET", "/ops"),
        ("GET", "/tickets/board"),
        ("GET", "/desk/ws"),
        ("GET", "/ops/ws"),
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/metrics"),
        ("GET", "/static/agents"),
        ("GET", "/static/ops"),
        ("GET", "/static/tickets"),
        ("GET", "/twilio/tone.wav"),
        ("POST", "/twilio/voice"),
        ("POST", "/twilio/step"),
        ("POST", "/twilio/status"),
        ("POST", "/twilio/wait"),
        ("POST", "/twilio/queue-result"),
        ("POST", "/twilio/callback"),
        ("POST", "/twilio/agent-leg"),
        ("POST", "/twilio/dial-result"),
        ("POST", "/twilio/agent-join"),
        ("POST", "/twilio/conference"),
        ("POST", "/twilio/recording"),
        ("POST", "/twilio/live-leg"),
        ("POST", "/twilio/softphone"),
        ("POST", "/twilio/outbound/answer"),
        ("POST", "/twilio/outbound/amd"),
        ("POST", "/twilio/outbound/status"),
    }
)
PARAMETER = re.compile(r"\{[^}]+\}")


def routes(app: web.Application) -> set[tuple[str, str]]:
    """(method, path template) of every route; HEAD only where it is not GET's twin."""
    found = {(r.method, r.resource.canonical) for r in app.router.routes() if r.resource}
    return {(m, p) for m, p in found if m != "HEAD" or ("GET", p) not in found}


client = app_client


async def test_the_table_names_every_route_and_no_other(client: Client) -> None:
    found = routes(client.app)
    api = {route for route in found if route[1].startswith("/api/")}
    assert sorted(api - TABLE.keys()) == [], "add these routes to TABLE with their roles"
    assert sorted(TABLE.keys() - api) == [], "these rows of TABLE have no route any more"
    assert sorted((found - api) ^ OUTSIDE_API) == [], "outside /api/: no role check there"


async def answer(client: Client, method: str, template: str, role: Role | None) -> str:
    """How the app answered a harmless request as `role` (None: no token): "401",
    "forbidden" (the role check's 403) or "past the role check"."""
    path = PARAMETER.sub("0", template)
    match = await client.app.router.resolve(make_mocked_request(method, path, app=client.app))
    assert match.route.resource is not None
    assert match.route.resource.canonical == template, f"{path} reaches another route"
    headers = {}
    if role is not None:
        _, secret = await client.app[AUTH].create_token(role, "route table")
        headers["Authorization"] = f"Bearer {secret}"
    body: dict[str, str] | None = None if method == "GET" else {}
    resp = await client.request(method, path, headers=headers, json=body)
    if resp.status == 401:
        return "401"
    forbidden = resp.status == 403 and (await resp.json())["error"]["code"] == "forbidden"
    return "forbidden" if forbidden else "past the role check"


def expected(allowed: Roles, role: Role | None) -> str:
    if allowed is None:  # PUBLIC
        return "past the role check"
    if role is None:
        return "401"
    return "past the role check" if role in allowed else "forbidden"


async def test_each_role_gets_what_the_table_says(client: Client) -> None:
    wrong = []
    for (method, template), allowed in sorted(TABLE.items(), key=str):
        for role in [None, *Role]:
            got = await answer(client, method, template, role)
            if got != expected(allowed, role):
                wrong.append(f"{method} {template} as {role}: {got}")
    assert wrong == []
