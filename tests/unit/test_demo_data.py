"""The synthetic 95598 demo data: deterministic and realistic in its proportions."""

from __future__ import annotations

from collections import Counter

from callcenter.core.phone import normalise_phone
from callcenter.storage.demo_data import Batch, IdStart, demo_users, generate, in_arrears


def rows(count: int, seed: int = 95598) -> Batch:
    merged = Batch()
    for batch in generate(count, seed, IdStart(), manager_ids=[4, 5, 6], batch_size=700):
        for name in ("service_points", "customers", "accounts", "account_phones"):
            getattr(merged, name).extend(getattr(batch, name))
    return merged


def test_same_seed_same_data_other_seed_other_data() -> None:
    assert rows(300) == rows(300)
    assert rows(300).customers != rows(300, seed=1).customers


def test_proportions_look_like_a_utility() -> None:
    data = rows(5000)
    postpaid = [a for a in data.accounts if a[5] == "postpaid"]
    prepaid_share = 1 - len(postpaid) / len(data.accounts)
    owing = [a for a in postpaid if in_arrears(int(str(a[0])), 95598, postpaid=True)]
    assert 0.15 < prepaid_share < 0.25
    assert 0.035 < len(owing) / len(postpaid) < 0.065
    assert {a[7] for a in owing} <= {72, 65, 58}  # arrears lower the credit score


def test_people_kinds_and_numbers() -> None:
    data = rows(5000)
    classes = Counter(c[2] for c in data.customers)
    assert classes["residential"] > 4000 and classes["non_residential_lv"] > 100
    important = [c for c in data.customers if c[3] is not None]
    assert important and all(c[4] in (4, 5, 6) for c in important)
    assert sum(1 for c in data.customers if c[5]) > 50  # vulnerable flags
    by_phone = Counter(p[0] for p in data.account_phones)
    assert sum(1 for n in by_phone.values() if n >= 2) >= 5  # numbers shared by two accounts
    assert all(normalise_phone(str(p[0])) == p[0] for p in data.account_phones)
    assert {p[2] for p in data.account_phones} == {"mobile", "landline"}
    assert len({a[1] for a in data.accounts}) == len(data.accounts)


def test_demo_staff() -> None:
    users = demo_users()
    roles = Counter(u.role for u in users)
    assert roles == {"agent": 20, "admin": 1, "supervisor": 1, "operator": 1}
    managers = [u for u in users if dict(u.skills).get("big-customer")]
    assert len(managers) == 3
    assert {s for u in users for s, _ in u.skills} >= {"fault", "billing", "complaint", "english"}
