"""`python -m emulator`: serve every emulated endpoint from one host and port."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from emulator.app import Server
from emulator.core import config


def _parser() -> argparse.ArgumentParser:
    env = os.environ.get
    p = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    p.add_argument("--host", default=env("EMULATOR_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(env("EMULATOR_PORT", "8765")))
    p.add_argument(
        "--state",
        default=env("EMULATOR_STATE", config.DEFAULT_STATE_PATH),
        help="SQLite file ('' or ':memory:' for no persistence)",
    )
    p.add_argument("--client-id", default=env("EMULATOR_CLIENT_ID", config.DEFAULT_CLIENT_ID))
    p.add_argument("--client-secret", default=env("EMULATOR_CLIENT_SECRET", config.DEFAULT_CLIENT_SECRET))
    p.add_argument("--org-id", default=env("EMULATOR_ORG_ID", config.DEFAULT_ORG_ID))
    p.add_argument("--tenant-id", default=env("EMULATOR_TENANT_ID", config.DEFAULT_TENANT_ID))
    p.add_argument("--sandboxes", default=env("EMULATOR_SANDBOXES", ",".join(config.DEFAULT_SANDBOXES)))
    p.add_argument(
        "--cio-app-api-key", default=env("EMULATOR_CIO_APP_API_KEY", config.DEFAULT_CIO_APP_API_KEY)
    )
    p.add_argument(
        "--cio-extra-app-api-keys",
        default=env("EMULATOR_CIO_EXTRA_APP_API_KEYS", config.DEFAULT_CIO_SECOND_APP_API_KEY),
        help="comma-separated App API keys of further Customer.io workspaces",
    )
    p.add_argument("--seed", type=int, default=None)
    p.add_argument(
        "--knob",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a behaviour knob, e.g. --knob inlet_url_delay_s=0 (repeatable)",
    )
    p.add_argument("--verbose", action="store_true", help="log every request")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    knobs = config.Knobs()
    for item in args.knob:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"--knob expects NAME=VALUE, got {item!r}", file=sys.stderr)
            return 2
        if knobs.update({name.strip(): value.strip()}):
            names = ", ".join(f.name for f in dataclasses.fields(knobs))
            print(f"unknown knob {name!r}; known: {names}", file=sys.stderr)
            return 2
    state = None if args.state in ("", ":memory:") else args.state
    options = config.Options(
        client_id=args.client_id,
        client_secret=args.client_secret,
        org_id=args.org_id,
        tenant_id=args.tenant_id,
        sandboxes=tuple(s.strip() for s in args.sandboxes.split(",") if s.strip()),
        cio_app_api_key=args.cio_app_api_key,
        cio_extra_app_api_keys=tuple(k.strip() for k in args.cio_extra_app_api_keys.split(",") if k.strip()),
        state_path=state,
        seed=args.seed,
        knobs=knobs,
    )
    server = Server(options, args.host, args.port, quiet=not args.verbose)
    print(f"emulator listening on {server.base_url} (state: {state or 'in memory'})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.emulator.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
