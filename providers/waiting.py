"""Every wait in the providers: polling until a condition holds, within a deadline (tenacity).

Lookups after an ambiguous create, a new dataflow's inlet URL and a busy flow settling all poll
through :func:`poll`; retrying a call that a busy remote refuses goes through :func:`retry_while`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, retry_if_result, stop_after_delay
from tenacity.wait import wait_exponential

from aep_customerio.providers.transport import RetryPolicy

log = logging.getLogger("aep_customerio")
T = TypeVar("T")


def _retrying(policy: RetryPolicy, timeout: float, first: float, cap: float, **options: Any) -> Retrying:
    """Exponential waits from ``first`` up to ``cap``, within ``timeout`` seconds in all."""
    return Retrying(
        stop=stop_after_delay(timeout),
        wait=wait_exponential(multiplier=first, min=first, max=max(cap, first)),
        sleep=policy.sleep,
        reraise=True,
        **options,
    )


def _last(state: RetryCallState) -> object:
    assert state.outcome is not None
    return state.outcome.result()  # a value (the caller judges it) or the exception it raised


def poll(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    *,
    timeout: float,
    policy: RetryPolicy,
    first_delay: float,
    max_delay: float,
    on_wait: Callable[[int, T], None] | None = None,
) -> T:
    """Call ``fetch`` until ``done(result)`` or ``timeout`` seconds have passed; returns the last
    result either way (the caller decides what a timeout means). Exceptions from ``fetch`` propagate."""

    def before_sleep(state: RetryCallState) -> None:
        if on_wait is not None and state.outcome is not None:
            on_wait(state.attempt_number, state.outcome.result())

    retrying = _retrying(
        policy,
        timeout,
        first_delay,
        max_delay,
        retry=retry_if_result(lambda result: not done(result)),
        before_sleep=before_sleep,
        retry_error_callback=_last,
    )
    return retrying(fetch)


def retry_while(
    call: Callable[[], T],
    refused: Callable[[BaseException], bool],
    *,
    timeout: float,
    policy: RetryPolicy,
    first_delay: float,
    max_delay: float,
    on_wait: Callable[[BaseException], None] | None = None,
) -> T:
    """Call ``call`` again while it raises an exception that ``refused`` accepts, within ``timeout``;
    the last exception propagates when time is up."""

    def before_sleep(state: RetryCallState) -> None:
        if on_wait is not None and state.outcome is not None:
            exc = state.outcome.exception()
            if exc is not None:
                on_wait(exc)

    retrying = _retrying(
        policy, timeout, first_delay, max_delay, retry=retry_if_exception(refused), before_sleep=before_sleep
    )
    return retrying(call)
