"""Synthetic 95598 demo data: deterministic rows for customers, accounts, bills and outages.

Pure (no I/O): `generate` yields batches of plain tuples per table, so the writer can COPY
them; `demo_bills` builds the statements with which the database derives the bills. The same seed and day give the same data on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬建国建华志强文斌海燕晓东丽娟春梅国庆永刚德明淑珍桂芳玉兰秀珍凤英"
# (district, area class, landline area code)
DISTRICTS = (
    ("上城区", "urban", "571"),
    ("拱墅区", "urban", "571"),
    ("西湖区", "urban", "571"),
    ("滨江区", "urban", "571"),
    ("萧山区", "urban", "571"),
    ("余杭区", "urban", "571"),
    ("临平区", "urban", "571"),
    ("钱塘区", "urban", "571"),
    ("富阳区", "rural", "571"),
    ("临安区", "rural", "571"),
    ("桐庐县", "rural", "571"),
    ("建德市", "rural", "571"),
    ("淳安县", "remote", "571"),
)
ROADS = [
    "解放路",
    "延安路",
    "中山路",
    "凤起路",
    "文三路",
    "文二路",
    "天目山路",
    "莫干山路",
    "江南大道",
    "滨盛路",
    "市心路",
    "人民路",
    "新华路",
    "建设路",
    "学院路",
    "体育场路",
    "环城北路",
    "秋涛路",
    "钱江路",
    "湖墅南路",
]
VILLAGES = [
    "桃源村",
    "青山村",
    "石门村",
    "溪口村",
    "新塘村",
    "上坞村",
    "下洋村",
    "枫树岭村",
    "白沙村",
    "横溪村",
]
IMPORTANT_NAMES = (
    "市第一人民医院",
    "市中医院",
    "城北水厂",
    "钱塘水务集团",
    "电信数据中心",
    "移动通信枢纽机房",
    "东站交通枢纽",
    "地铁运营控制中心",
    "市急救中心",
    "燃气调度中心",
)
BIG_NAMES = (
    "华东钢铁有限公司",
    "新安化工厂",
    "滨江科技园",
    "万达商业广场",
    "临港物流中心",
    "南方纺织厂",
    "钱江造纸厂",
    "城西冷链仓储",
)
OUTAGE_CAUSES = ("10kV线路故障跳闸", "台区变压器故障", "外力破坏导致线路受损")
ACCOUNT_BASE = 3300000000
RESIDENTIAL_TARIFF = "居民生活用电"
ARREARS_PER_MILLE = 50
MIX_A, MIX_B, MIX_C, MIX_M = 2654435761, 97, 40503, 1000003
FEEDERS_PER_DISTRICT = 40


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A person the demo creates, with the skills an agent has."""

    username: str
    display_name: str
    role: str
    skills: tuple[tuple[str, int], ...] = ()
    device: str = ""


@dataclass(slots=True)
class Batch:
    """Rows for each table, in foreign-key order."""

    service_points: list[tuple[object, ...]] = field(default_factory=list)
    customers: list[tuple[object, ...]] = field(default_factory=list)
    accounts: list[tuple[object, ...]] = field(default_factory=list)
    account_phones: list[tuple[object, ...]] = field(default_factory=list)
    first_account: int = 0
    last_account: int = 0

    @property
    def account_range(self) -> tuple[int, int]:
        """The first and last account id in the batch."""
        return self.first_account, self.last_account


@dataclass(frozen=True, slots=True)
class IdStart:
    """First free id per table (seeding may add to existing data)."""

    customer: int = 1
    account: int = 1
    service_point: int = 1


def demo_users() -> list[DemoUser]:
    """A supervisor, an operator, an admin and 20 agents with skills (3 account managers)."""
    users = [
        DemoUser("admin", "系统管理员", "admin"),
        DemoUser("supervisor", "值班长 陈静", "supervisor"),
        DemoUser("operator", "运营专员 周敏", "operator"),
    ]
    rng = random.Random(7)
    for n in range(1, 21):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        skills = {"fault": 1 + n % 3, "billing": 1 + (n + 1) % 3}
        if n % 4 == 0:
            skills["business"] = 2
        if n % 5 == 0:
            skills["complaint"] = 3
        if n % 7 == 0:
            skills["english"] = 2
        if n <= 3:
            skills["big-customer"] = 3
        users.append(
            DemoUser(
                f"agent{n:02d}",
                f"坐席 {name}",
                "agent",
                tuple(sorted(skills.items())),
                f"client:agent{n:02d}",
            )
        )
    return users


def demo_queues(skills: dict[str, int]) -> dict[str, int]:
    """An agent's queue memberships from its skills: everyone answers general; a skill
    opens its queue; fault level 2 and up also answers emergencies; account managers the
    priority (VIP) queue."""
    queues = {"general": 1}
    for skill in ("fault", "billing", "complaint", "business", "english"):
        if skill in skills:
            queues[skill] = skills[skill]
    if skills.get("fault", 0) >= 2:
        queues["emergency"] = skills["fault"]
    if "big-customer" in skills:
        queues["priority"] = skills["big-customer"]
    return queues


def _pick(rng: random.Random, items: str | tuple[str, ...] | list[str]) -> str:
    return items[int(rng.random() * len(items))]


def _int(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high); cheaper than randrange, which seeding calls millions of times."""
    return low + int(rng.random() * (high - low))


def _name(rng: random.Random) -> str:
    given = _pick(rng, GIVEN) + (_pick(rng, GIVEN) if rng.random() < 0.7 else "")
    return _pick(rng, SURNAMES) + given


def _mobile(rng: random.Random) -> str:
    return f"+861{_pick(rng, '3456789')}{_int(rng, 0, 10**9):09d}"


def _address(rng: random.Random, district: str, area: str) -> str:
    if area == "urban":
        return (
            f"浙江省杭州市{district}{_pick(rng, ROADS)}{_int(rng, 1, 999)}号"
            f"{_int(rng, 1, 30)}幢{_int(rng, 1, 6)}单元{_int(rng, 101, 2802)}室"
        )
    return f"浙江省杭州市{district}{_pick(rng, VILLAGES)}{_int(rng, 1, 300)}号"


def feeder_of(district_index: int, n: int) -> str:
    """The feeder code of line `n` in a district."""
    return f"F{district_index:02d}-{n:03d}"


def month_back(today: date, back: int) -> tuple[int, int]:
    """(year, month) of the month `back` months before `today`'s."""
    index = today.year * 12 + today.month - 1 - back
    return index // 12, index % 12 + 1


@dataclass(slots=True)
class _Cursor:
    customer: int
    account: int
    service_point: int


def generate(
    count: int,
    seed: int,
    start: IdStart,
    manager_ids: list[int],
    batch_size: int = 5000,
) -> Iterator[Batch]:
    """Yield batches of demo rows for `count` customers (bills: see `bill_inserts`)."""
    rng = random.Random(seed)
    cur = _Cursor(start.customer, start.account, start.service_point)
    batch = Batch()
    last_shared: str | None = None
    for index in range(count):
        last_shared = _customer(rng, cur, batch, seed, manager_ids, index, last_shared)
        if len(batch.customers) >= batch_size:
            yield batch
            batch = Batch()
    if batch.customers:
        yield batch


def _customer(
    rng: random.Random,
    cur: _Cursor,
    batch: Batch,
    seed: int,
    manager_ids: list[int],
    index: int,
    last_phone: str | None,
) -> str | None:
    roll = rng.random()
    grade: str | None = None
    manager: int | None = None
    if roll < 0.003:
        cls, grade = (
            rng.choice(("hv_dual_source", "hv_single_source")),
            rng.choice(("special", "first", "second", "temporary")),
        )
        name = rng.choice(IMPORTANT_NAMES) + f"({index})"
        manager = rng.choice(manager_ids) if manager_ids else None
    elif roll < 0.02:
        cls = rng.choice(("hv_single_source", "hv_dual_source"))
        name = rng.choice(BIG_NAMES) + f"({index})"
        manager = rng.choice(manager_ids) if manager_ids else None
    elif roll < 0.08:
        cls, name = (
            "non_residential_lv",
            _name(rng) + rng.choice(("便利店", "餐馆", "理发店", "五金店")),
        )
    else:
        cls, name = "residential", _name(rng)
    flags = ""
    if cls == "residential":
        flag_roll = rng.random()
        flags = (
            "elderly_alone" if flag_roll < 0.02 else ("life_support" if flag_roll < 0.025 else "")
        )
    created = datetime(2015, 1, 1, tzinfo=UTC) + timedelta(days=_int(rng, 0, 3650))
    customer_id = cur.customer
    cur.customer += 1
    batch.customers.append((customer_id, name, cls, grade, manager, flags, created))
    phone = _mobile(rng)
    shared = rng.random() < 0.004 and last_phone is not None
    accounts_wanted = 2 if rng.random() < 0.01 else 1
    number = last_phone if shared and last_phone is not None else phone
    for _ in range(accounts_wanted):
        _account(rng, cur, batch, seed, customer_id, cls, number)
    if rng.random() < 0.15:
        code = DISTRICTS[_int(rng, 0, len(DISTRICTS))][2]
        landline = f"+86{code}{_int(rng, 8 * 10**7, 9 * 10**7)}"
        batch.account_phones.append((landline, cur.account - 1, "landline"))
    return phone


def _account(
    rng: random.Random,
    cur: _Cursor,
    batch: Batch,
    seed: int,
    customer_id: int,
    cls: str,
    phone: str,
) -> None:
    d_index = _int(rng, 0, len(DISTRICTS))
    district, area, _code = DISTRICTS[d_index]
    sp_id = cur.service_point
    cur.service_point += 1
    feeder = feeder_of(d_index, _int(rng, 1, FEEDERS_PER_DISTRICT + 1))
    batch.service_points.append((sp_id, _address(rng, district, area), district, feeder, area))
    account_id = cur.account
    cur.account += 1
    prepaid = cls == "residential" and rng.random() < 0.2
    balance = Decimal(int(rng.random() * 52000) - 2000) / 100 if prepaid else None
    owes = in_arrears(account_id, seed, not prepaid)
    score = rng.choice((72, 65, 58) if owes else (95, 92, 88, 85, 80, 76, 72, 65))
    tariff = RESIDENTIAL_TARIFF if cls == "residential" else "一般工商业用电"
    opened = date(2015, 1, 1) + timedelta(days=_int(rng, 0, 3650))
    batch.first_account = batch.first_account or account_id
    batch.last_account = account_id
    batch.accounts.append(
        (
            account_id,
            f"{ACCOUNT_BASE + account_id}",
            customer_id,
            sp_id,
            tariff,
            "prepaid" if prepaid else "postpaid",
            balance,
            score,
            "active",
            opened,
        )
    )
    batch.account_phones.append((phone, account_id, "mobile"))


def mix(account_id: int, seed: int, salt: int) -> int:
    """A deterministic pseudo-random number in [0, 1000003) that SQL computes alike."""
    return (account_id * MIX_A + seed * MIX_B + salt * MIX_C) % MIX_M


def in_arrears(account_id: int, seed: int, postpaid: bool) -> bool:
    """About 5 % of postpaid accounts owe money."""
    return postpaid and mix(account_id, seed, 1) % 1000 < ARREARS_PER_MILLE


def demo_outages(now: datetime) -> list[tuple[dict[str, object], list[str]]]:
    """One active fault outage and one planned outage 10 days ahead, with their feeders."""
    fault = {
        "kind": "fault",
        "status": "active",
        "area": "西湖区文三路、文二路沿线（F02-007线）",
        "cause": OUTAGE_CAUSES[0],
        "start_at": now - timedelta(minutes=50),
        "estimated_restoration_at": now + timedelta(hours=2, minutes=10),
        "created_at": now,
    }
    planned_start = (now + timedelta(days=10)).replace(hour=0, minute=30, second=0, microsecond=0)
    planned = {
        "kind": "planned",
        "status": "scheduled",
        "area": "萧山区市心路片区（F04-012线）",
        "cause": "线路检修及设备更换",
        "start_at": planned_start,
        "estimated_restoration_at": planned_start + timedelta(hours=8),
        "created_at": now,
    }
    return [(fault, [feeder_of(2, 7)]), (planned, [feeder_of(4, 12)])]
