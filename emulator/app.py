"""The composition root: builds every service with the interfaces it needs, the Flask app and the
in-process / command-line server.

This is the only module that knows every service. Services never see it: each is handed, at
construction, the few others it asks (protocols in `emulator.core.interfaces`).
"""

from __future__ import annotations

import copy
import logging
import threading
import time
import uuid
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, make_server

from emulator.catalog import responses as catalog_routes
from emulator.catalog.models import Catalog
from emulator.core import admin, errors
from emulator.core.backend import Env
from emulator.core.config import Options
from emulator.core.faults import Faults, RateLimiter, RequestLog
from emulator.core.gateway import Gateway
from emulator.core.http import Router, error_response, service_of
from emulator.core.ids import Ids
from emulator.core.store import Store
from emulator.customerio import responses as customerio_routes
from emulator.customerio.models import CustomerIo
from emulator.data_prep import responses as data_prep_routes
from emulator.data_prep.models import DataPrep
from emulator.flow_service import responses as flow_service_routes
from emulator.flow_service.models import FlowService
from emulator.identity import responses as identity_routes
from emulator.identity.models import IdentityNamespaces
from emulator.ims import responses as ims_routes
from emulator.ims.models import Ims
from emulator.inlet import responses as inlet_routes
from emulator.inlet.models import Inlet
from emulator.observability import responses as observability_routes
from emulator.observability.models import Insights
from emulator.schema_registry import responses as schema_registry_routes
from emulator.schema_registry.models import SchemaRegistry

MAX_BODY = 8 * 1024 * 1024


class Emulator:
    """Every service of one process, wired together; also what the admin API drives."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.env = Env(options, copy.deepcopy(options.knobs), Store(options.state_path), Ids(options.seed))
        self.faults = Faults(options.seed)
        self.rate = RateLimiter()
        self.log = RequestLog()
        env = self.env
        self.ims = Ims(env)
        self.namespaces = IdentityNamespaces(env)
        # Schema Registry and Catalog ask each other, as do Data Prep and Flow Service: the first of
        # each pair gets a callable that reaches the second once it exists.
        self.schemas = SchemaRegistry(
            env,
            datasets_using=lambda sandbox, refs, ingested: self.catalog.datasets_using(
                sandbox, refs, ingested
            ),
            namespaces=self.namespaces,
        )
        self.catalog = Catalog(env, schemas=self.schemas)
        self.dataprep = DataPrep(
            env,
            self.schemas,
            flows_using=lambda sandbox, set_id: self.flows.flows_using_mapping(sandbox, set_id),
        )
        self.flows = FlowService(env, datasets=self.catalog, schemas=self.schemas, mappings=self.dataprep)
        self.inlet = Inlet(env, self.flows, self.catalog, self.catalog, self.schemas, self.dataprep)
        self.customerio = CustomerIo(env)
        self.insights = Insights(env, self.catalog)
        self.gateway = Gateway(options, env.knobs, tokens=self.ims)

    def register(self, app: Flask) -> None:
        router = Router(app, self.env, self.faults, self.rate, self.gateway)
        ims_routes.register(router, self.ims)
        schema_registry_routes.register(router, self.schemas)
        catalog_routes.register(router, self.catalog)
        flow_service_routes.register(router, self.flows)
        data_prep_routes.register(router, self.dataprep)
        inlet_routes.register(router, self.inlet)
        customerio_routes.register(router, self.customerio)
        identity_routes.register(router, self.namespaces)
        observability_routes.register(router, self.insights)
        admin.register(app, self)

    # -- admin.Controls ------------------------------------------------------------------------
    def reset(self) -> None:
        """Wipe all state; knobs, faults and the request log go back to their start-up values."""
        self.inlet.drain()
        with self.env.store.lock:
            self.env.store.wipe()
        self.env.knobs.restore(self.options.knobs)
        self.env.ids.reseed(self.options.seed)
        self.faults.clear(self.options.seed)
        self.rate.clear()
        self.log.clear()

    def state(self) -> dict[str, Any]:
        dump = self.env.store.dump()
        global_objs = dump.pop("_global", {})
        global_objs.pop("token", None)
        workspaces = self.customerio.webhooks_by_workspace()
        return {
            "tenantId": self.options.tenant_id,
            "sandboxes": {name: dump.get(name, {}) for name in self.options.sandboxes},
            "customerio": {
                "webhooks": global_objs.get("cioWebhook", []),
                "workspaces": {
                    name.removeprefix("cio:"): hooks for name, hooks in workspaces.items() if name
                },
            },
            "knobs": self.env.knobs.as_dict(),
            "faults": self.faults.rules(),
        }

    def drain(self) -> None:
        self.inlet.drain()

    def records(self, sandbox: str, dataset_id: str) -> list[dict[str, Any]]:
        return self.catalog.records(sandbox, dataset_id)

    def expire_tokens(self) -> int:
        return self.ims.expire_all()

    def deliver(self, event: str, overrides: dict[str, Any]) -> dict[str, Any]:
        with self.env.store.lock:
            payload, hooks = self.customerio.prepare(event, overrides)
        # without the lock: the webhook endpoint may be this very server
        return {"event": payload, "deliveries": self.customerio.deliver(payload, hooks)}

    def storage_key(self, sandbox: str, kind: str, ref: str) -> str:
        return self.schemas.storage_key(sandbox, kind, ref)

    def close(self) -> None:
        self.inlet.stop()
        self.env.store.close()


def create_app(emulator: Emulator) -> Flask:
    app = Flask("emulator")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    emulator.register(app)

    @app.before_request
    def _start() -> None:
        g.start = time.monotonic()
        g.received_at = time.time()  # wall clock: tests compare it with when they killed a run
        g.request_id = str(uuid.uuid4())
        errors.REQUEST_ID.set(g.request_id)
        g.service = service_of(request.path)

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["x-request-id"] = g.get("request_id", "")
        if g.get("service") != "admin":
            emulator.log.add(
                {
                    "method": request.method,
                    "path": request.path,
                    "query": request.query_string.decode(errors="replace"),
                    "status": response.status_code,
                    "received_at": g.get("received_at"),
                    "duration_ms": round((time.monotonic() - g.get("start", time.monotonic())) * 1000, 2),
                    "sandbox": g.get("sandbox") or request.headers.get("x-sandbox-name"),
                    # the header as sent (None = absent: AEP then works in the default prod sandbox)
                    "sandbox_header": request.headers.get("x-sandbox-name"),
                    "service": g.get("service"),
                    "operation": g.get("operation"),
                    "request_id": g.get("request_id"),
                    "dropped": bool(g.get("dropped", False)),
                }
            )
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        service = g.get("service") or service_of(request.path)
        message = {
            404: f"No such endpoint: {request.method} {request.path}",
            405: f"Method {request.method} is not allowed on {request.path}",
            413: "The request body is too large.",
        }.get(status, exc.description or "Error")
        return error_response(errors.for_service(service, status, message))

    @app.errorhandler(Exception)
    def _crash(exc: Exception) -> Response:
        app.logger.exception("emulator bug")
        service = g.get("service") or service_of(request.path)
        return error_response(
            errors.for_service(service, 500, f"Emulator internal error: {type(exc).__name__}")
        )

    return app


class Server:
    """A threaded Werkzeug server around one Emulator, in a background thread or the foreground."""

    def __init__(self, options: Options, host: str = "127.0.0.1", port: int = 0, quiet: bool = True) -> None:
        if quiet:
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.emulator = Emulator(options)
        self.app = create_app(self.emulator)
        self._server: BaseWSGIServer = make_server(host, port, self.app, threaded=True)
        self.host = host
        self.port = self._server.server_port
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> Server:
        self._thread = threading.Thread(target=self._server.serve_forever, name="emulator-http", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.emulator.close()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_in_process(options: Options | None = None, host: str = "127.0.0.1", port: int = 0) -> Server:
    return Server(options or Options(state_path=None), host, port).start()
