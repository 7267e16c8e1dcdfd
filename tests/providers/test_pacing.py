"""Pacing per server budget: a documented limit is kept from the first request, an undocumented one
is learned from the first 429, Retry-After holds the whole budget, and the rate recovers."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import SecretStr

from aep_customerio.providers import pacing
from aep_customerio.providers.aep_client import FLOW_SERVICE, AepClient
from aep_customerio.providers.customerio_client import CustomerIoClient
from aep_customerio.providers.pacing import Pacer, budget_name, pacer_for
from aep_customerio.providers.settings import CustomerIoSettings, load_settings

LIST = f"{FLOW_SERVICE}/sourceConnections"


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def starts(pacer: Pacer, clock: FakeTime, count: int) -> list[float]:
    """When each of ``count`` back-to-back requests may start, relative to now."""
    begin = clock.now
    moments = []
    for _ in range(count):
        pacer.wait()
        moments.append(round(clock.now - begin, 6))
    return moments


def test_documented_limit_spaces_requests_from_the_first() -> None:
    clock = FakeTime()
    pacer = Pacer(10.0, clock.clock, clock.sleep)
    assert starts(pacer, clock, 4) == [0.0, 0.1, 0.2, 0.3]


def test_unknown_limit_is_unpaced_until_a_429_then_learned_from_what_was_accepted() -> None:
    clock = FakeTime()
    pacer = Pacer(None, clock.clock, clock.sleep)
    for k in range(12):
        clock.now = 100.0 + k * 0.05
        pacer.wait()
        pacer.answered(200, None)
    assert clock.slept == [] and pacer.rate is None

    clock.now = 101.325  # only the answers after 100.325, the last 5, are within the last second
    pacer.answered(429, 2.0)
    assert pacer.rate == 0.9 * 5
    # Retry-After holds every request of the budget, then they go out at the learned rate
    assert starts(pacer, clock, 3) == [2.0, round(2.0 + 1 / 4.5, 6), round(2.0 + 2 / 4.5, 6)]


def test_refusals_of_one_burst_cut_once_and_later_ones_cut_again() -> None:
    clock = FakeTime()
    pacer = Pacer(10.0, clock.clock, clock.sleep)
    pacer.answered(429, None)
    pacer.answered(429, None)
    clock.now += 0.5
    pacer.answered(429, None)
    assert pacer.rate == 8.0
    clock.now += 1.0
    pacer.answered(429, None)
    assert pacer.rate == 8.0 * 0.8


def test_rate_recovers_without_429s_but_never_above_the_documented_limit() -> None:
    clock = FakeTime()
    pacer = Pacer(10.0, clock.clock, clock.sleep)
    pacer.answered(429, None)
    assert pacer.rate == 8.0
    for _ in range(10):
        clock.now += 5.0
        pacer.wait()
    assert pacer.rate == 10.0


def test_a_rate_never_drops_below_one_request_per_second() -> None:
    clock = FakeTime()
    pacer = Pacer(None, clock.clock, clock.sleep)
    pacer.answered(429, 1.0)  # refused before anything was accepted
    assert pacer.rate == 1.0


def test_threads_share_one_budget_and_never_start_together() -> None:
    pacer = Pacer(50.0)
    moments: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            pacer.wait()
            with lock:
                moments.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    moments.sort()
    # 20 starts 1/50 s apart span 0.38 s; thread scheduling can delay only when a start is seen
    assert len(moments) == 20 and moments[-1] - moments[0] >= 0.36, moments


def settings(key: str, url: str = "https://api.customer.io") -> Any:
    return CustomerIoSettings.model_validate({"customerio:appApiKey": SecretStr(key), "api_url": url})


def test_customerio_has_one_budget_per_key_and_host() -> None:
    pacing.forget_pacers()
    first = CustomerIoClient(settings("key-of-workspace-a"))
    again = CustomerIoClient(settings("key-of-workspace-a"))
    other = CustomerIoClient(settings("key-of-workspace-b"))
    other_host = CustomerIoClient(settings("key-of-workspace-a", "https://api-eu.customer.io"))
    assert first.pacer is again.pacer and first.pacer is not None and first.pacer.limit == 10.0
    assert other.pacer is not first.pacer
    assert other_host.pacer is not first.pacer


def test_the_budget_table_holds_no_key() -> None:
    CustomerIoClient(settings("a-very-secret-app-api-key"))
    assert pacer_for(budget_name("https://api.customer.io", "a-very-secret-app-api-key")).limit == 10.0
    assert not any("a-very-secret-app-api-key" in budget for budget in pacing._PACERS)


def test_aep_rate_is_learned_from_real_429s_and_kept_to(
    emulator: Any, stack_config: dict[str, str], fresh_tokens: None
) -> None:
    """Against the emulator's 429 + Retry-After: a burst of 16 finds the limit, every request still
    succeeds, and a second burst, paced at the learned rate, is (nearly) never refused."""
    emulator.reset()
    client = AepClient(load_settings(stack_config.get).aep())
    client.auth.token()  # minted before the limit: IMS is another budget
    emulator.set_knobs(rate_limit_per_s=8, rate_limit_retry_after_s=1)
    try:

        def burst(size: int) -> list[dict[str, Any]]:
            start = emulator.last_seq()
            with ThreadPoolExecutor(size) as pool:
                done = list(
                    pool.map(lambda _: client.call("GET", LIST, sandbox="dev", operation="list"), range(size))
                )
            assert all(r.status_code == 200 for r in done)
            return [c for c in emulator.requests(since=start) if c["path"].endswith("/sourceConnections")]

        first = burst(16)
        assert sum(c["status"] == 429 for c in first) >= 1, "the limit was never reached"
        assert client.pacer is not None and client.pacer.rate is not None and client.pacer.rate <= 8
        second = burst(10)
        assert sum(c["status"] == 429 for c in second) <= 1, [c["status"] for c in second]
    finally:
        emulator.set_knobs(rate_limit_per_s=0)
