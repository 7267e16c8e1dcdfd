"""Flask application factory and the in-process / command-line server."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, make_server

from emulator import admin, errors, http_other, http_platform
from emulator.config import Options
from emulator.web import error_response, service_of
from emulator.world import World

MAX_BODY = 8 * 1024 * 1024


def create_app(world: World) -> Flask:
    app = Flask("emulator")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions["emulator_world"] = world
    http_platform.register(app)
    http_other.register(app)
    admin.register(app)

    @app.before_request
    def _start() -> None:
        g.start = time.monotonic()
        g.request_id = str(uuid.uuid4())
        errors.REQUEST_ID.set(g.request_id)
        g.service = service_of(request.path)

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["x-request-id"] = g.get("request_id", "")
        if g.get("service") != "admin":
            world.log.add(
                {
                    "method": request.method,
                    "path": request.path,
                    "query": request.query_string.decode(errors="replace"),
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - g.get("start", time.monotonic())) * 1000, 2),
                    "sandbox": g.get("sandbox") or request.headers.get("x-sandbox-name"),
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
    """A threaded Werkzeug server around one World, in a background thread or the foreground."""

    def __init__(self, options: Options, host: str = "127.0.0.1", port: int = 0, quiet: bool = True) -> None:
        if quiet:
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.world = World(options)
        self.app = create_app(self.world)
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
        self.world.close()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_in_process(options: Options | None = None, host: str = "127.0.0.1", port: int = 0) -> Server:
    return Server(options or Options(state_path=None), host, port).start()
