"""The provider's connections: settings and HTTP clients exist only after ``configure()`` (or first
use) and never in the pickled provider, so no credential reaches the state's ``__provider``."""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from pulumi.dynamic import ConfigureRequest

from aep_customerio.providers.aep_client import AepClient
from aep_customerio.providers.customerio_client import CustomerIoClient
from aep_customerio.providers.lifeline import watch_engine
from aep_customerio.providers.settings import Settings, load_settings
from aep_customerio.providers.transport import RetryPolicy

_INIT_LOCK = threading.Lock()


class Clients:
    # Set by tests to avoid real sleeping; never set in production code.
    retry_policy: ClassVar[RetryPolicy | None] = None

    # --- pickling and configuration -------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_rt_")}

    def configure(self, req: ConfigureRequest) -> None:
        watch_engine()  # the engine configures every provider: stop with it
        self._rt_settings = load_settings(req.config.get)

    def _settings(self) -> Settings:
        settings: Settings | None = self.__dict__.get("_rt_settings")
        if settings is None:
            settings = load_settings(None)
            self._rt_settings = settings
        return settings

    def policy(self) -> RetryPolicy:
        return self.retry_policy or RetryPolicy()

    def aep(self) -> AepClient:
        with _INIT_LOCK:
            client: AepClient | None = self.__dict__.get("_rt_aep")
            if client is None:
                client = AepClient(self._settings().aep(), self.policy())
                self._rt_aep = client
            return client

    def customerio(self, workspace: str = "") -> CustomerIoClient:
        with _INIT_LOCK:
            clients: dict[str, CustomerIoClient] = self.__dict__.setdefault("_rt_cio", {})
            client = clients.get(workspace)
            if client is None:
                client = CustomerIoClient(self._settings().customerio(workspace), self.policy())
                clients[workspace] = client
            return client
