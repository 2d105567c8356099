"""Thin handler of the customer look-up API."""

from __future__ import annotations

from aiohttp import web

from callcenter.core.api import endpoint
from callcenter.customers.models import AccountProfile, CustomerProfile, credit_rating
from callcenter.customers.schemas import (
    AccountOut,
    ArrearsOut,
    BillLateFeeOut,
    CallBriefOut,
    CustomerOut,
    LookupOut,
    LookupQuery,
    ManagerOut,
    OutageOut,
    ServicePointOut,
    TicketBriefOut,
)
from callcenter.customers.service import ProfileService
from callcenter.httpkit import parse_query, respond, to_model


def account_out(item: AccountProfile) -> AccountOut:
    """The API shape of one account profile."""
    account = item.account
    return AccountOut(
        id=account.id,
        account_no=account.account_no,
        tariff_class=account.tariff_class,
        payment_mode=account.payment_mode.value,
        prepaid_balance=account.prepaid_balance,
        credit_score=account.credit_score,
        credit_rating=credit_rating(account.credit_score),
        status=account.status.value,
        service_point=to_model(ServicePointOut, account.service_point),
        arrears=ArrearsOut(
            arrears=item.arrears.arrears,
            fee=item.arrears.fee,
            total_due=item.arrears.total_due,
            lines=[to_model(BillLateFeeOut, line) for line in item.arrears.lines],
        ),
        outages=[to_model(OutageOut, o) for o in item.outages],
    )


def customer_out(profile: CustomerProfile) -> CustomerOut:
    """The API shape of one customer profile."""
    customer = profile.customer
    manager = customer.account_manager
    return CustomerOut(
        id=customer.id,
        name=customer.name,
        customer_class=customer.customer_class.value,
        important_grade=customer.important_grade.value if customer.important_grade else None,
        account_manager=to_model(ManagerOut, manager) if manager else None,
        vulnerable=sorted(f.value for f in customer.vulnerable),
        accounts=[account_out(a) for a in profile.accounts],
        open_tickets=[to_model(TicketBriefOut, t) for t in profile.open_tickets],
        recent_calls=[to_model(CallBriefOut, c) for c in profile.recent_calls],
    )


class CustomersHttp:
    """`GET /api/customers/lookup`."""

    def __init__(self, service: ProfileService) -> None:
        self._service = service

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        app.router.add_get("/api/customers/lookup", self.lookup)

    @endpoint(
        "Caller profile by phone number or account number",
        query=LookupQuery,
        response=LookupOut,
        errors=("invalid-query", "invalid-number", "no-such-customer"),
        tag="customers",
    )
    async def lookup(self, request: web.Request) -> web.Response:
        q = parse_query(LookupQuery, request.query)
        if q.phone is not None:
            found = await self._service.by_phone(q.phone)
        else:
            assert q.account is not None
            found = await self._service.by_account(q.account)
        return respond(
            LookupOut(
                phone=found.phone,
                account=found.account_no,
                as_of=self._service.today(),
                customers=[customer_out(p) for p in found.profiles],
            )
        )
