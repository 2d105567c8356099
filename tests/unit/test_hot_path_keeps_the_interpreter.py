"""What every webhook runs must not hand the interpreter to other threads (issue 17).

A C call that lets other threads run (`hmac.digest`, `os.urandom`) makes the event loop wait
for the interpreter until the busy thread's switch interval runs out (5 ms by default): on
the embedded defaults the SQLite thread is busy about a third of the time, so every webhook
that signed, or made an id, could wait that long. Here a second thread is made ready to
run, with a switch interval longer than the test, before the call: it runs during the call
only if the call lets it.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from callcenter.core import entropy
from callcenter.core.entropy import PAGE, random_bytes
from callcenter.core.ids import new_id
from callcenter.telephony.twilio.signature import TwilioSignature

SIGNED = TwilioSignature("a" * 32, "https://cc.example")


@pytest.fixture
def long_switch() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(2.0)
    yield
    sys.setswitchinterval(before)


def others_ran_during(call: Callable[[], object]) -> bool:
    """Whether a thread made ready just before `call` ran before `call` returned."""
    entropy._forget()
    random_bytes(1)  # a page of random bytes read now, not during `call` (once in 409 ids)
    go = threading.Event()
    ran: list[bool] = []

    def wait_then_note() -> None:
        go.wait()
        ran.append(True)

    other = threading.Thread(target=wait_then_note)
    other.start()
    time.sleep(0.05)  # the other thread now waits for `go`, without the interpreter
    go.set()  # ready to run: it needs the interpreter, which this thread keeps unless it lets go
    call()
    seen = bool(ran)
    other.join()
    return seen


def sign() -> str:
    return SIGNED._sign("https://cc.example/twilio/voice", {"CallSid": "CA1", "From": "+86"})


def sign_many() -> None:
    for _ in range(50):
        sign()


def ids() -> None:
    for _ in range(100):
        new_id(datetime.now(UTC))


@pytest.mark.parametrize("call", [sign_many, ids], ids=["signature", "new-id"])
def test_a_webhooks_signature_and_ids_keep_the_interpreter(
    long_switch: None, call: Callable[[], object]
) -> None:
    call()  # warm
    runs = [others_ran_during(call) for _ in range(3)]
    assert runs == [False, False, False]


def test_the_check_itself_can_tell() -> None:
    """The probe sees a call that does let go (so the test above can fail)."""
    assert others_ran_during(lambda: time.sleep(0.01))


def test_random_bytes_are_the_kernels_and_never_repeat() -> None:
    taken = [random_bytes(10) for _ in range(2 * PAGE // 10 + 3)]
    assert all(len(b) == 10 for b in taken)
    assert len(set(taken)) == len(taken)
    assert len(random_bytes(PAGE)) == PAGE
    for bad in (0, PAGE + 1):
        with pytest.raises(ValueError, match="random_bytes takes"):
            random_bytes(bad)
