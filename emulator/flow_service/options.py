"""A streaming flow's `options`, validated against its flow spec's `optionSpec`, and its runs' windows.

Rules (update-flow-specs.md: `GenericStreamingAEP` e77fde5a-… declares `inletUrl`,
`errorDiagnosticsEnabled` (boolean) and `partialIngestionPercent` (number > 0); partial.md: PATCH
`/options…` with If-Match, the percent sent as a string in the sample and read back as a number):

- an unknown option, a non-boolean `errorDiagnosticsEnabled` or a percent outside (0, 100] is 1100-400;
- `inletUrl` is the server's: a patch may not change it. Replacing `/options` wholesale without it
  loses the inlet (the flow then shows no `inletUrl` and its inlet refuses data) — RFC 6902 `add`
  semantics; what AEP does then is UNCONFIRMED, this is the hostile reading.
- `options` in a create body: not documented; ignored here (create, then PATCH).
"""

from __future__ import annotations

from typing import Any

from emulator.core import errors

KNOWN = ("inletUrl", "errorDiagnosticsEnabled", "partialIngestionPercent")
INLET_LOST = "__inletLost"
Obj = dict[str, Any]


def _bad(message: str) -> errors.ApiError:
    return errors.flow("1100-400", f"Invalid flow options: {message}")


def check(current: Obj, new: Obj, operations: list[Obj], inlet_url: str | None) -> dict[str, bool]:
    """Validate and normalise `new["options"]`; the hidden fields to set on the stored flow."""
    options = new.get("options", {})
    if not isinstance(options, dict):
        raise _bad("'options' must be an object.")
    unknown = [k for k in options if k not in KNOWN]
    if unknown:
        raise _bad(f"{', '.join(unknown)} not declared by the flow spec's optionSpec ({', '.join(KNOWN)}).")
    if "errorDiagnosticsEnabled" in options and not isinstance(options["errorDiagnosticsEnabled"], bool):
        raise _bad("'errorDiagnosticsEnabled' must be a boolean.")
    if "partialIngestionPercent" in options:
        raw = options["partialIngestionPercent"]
        try:
            if isinstance(raw, bool):
                raise ValueError
            percent = float(raw)
        except (TypeError, ValueError) as exc:
            raise _bad(f"'partialIngestionPercent' must be a number, not {raw!r}.") from exc
        if not 0 < percent <= 100:
            raise _bad("'partialIngestionPercent' must be more than 0 and at most 100.")
        options["partialIngestionPercent"] = int(percent) if percent.is_integer() else percent
    sent_url = options.pop("inletUrl", None)
    if sent_url is not None and sent_url != inlet_url:
        raise _bad("'inletUrl' is read-only.")
    wholesale = any(op["path"] in ("/options", "/options/inletUrl") for op in operations)
    lost = current.get(INLET_LOST, False) or (wholesale and inlet_url is not None and sent_url is None)
    return {INLET_LOST: True} if lost else {}


def threshold(flow: Obj) -> float:
    """The share of failed records (percent) a run may have and still succeed: 0 without partial
    ingestion (its effect on streaming runs is UNCONFIRMED)."""
    return float((flow.get("options") or {}).get("partialIngestionPercent") or 0)
