"""The provider's connections: settings and HTTP clients exist only after ``configure()`` (or first
use) and never in the pickled provider, so no credential reaches the state's ``__provider``."""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from pulumi.dynamic import ConfigureRequest

from aep_customerio.providers.aep_client import AepClient
from aep_customerio.providers.customerio_client import CustomerIoClient
from aep_customerio.providers.lifeline import watch_engine
from aep_customerio.providers.settings import DEFAULT_CONNECTION, Settings, load_settings
from aep_customerio.providers.transport import RetryPolicy

_INIT_LOCK = threading.Lock()


class Clients:
    # Set by tests to avoid real sleeping; never set in production code.
    retry_policy: ClassVar[RetryPolicy | None] = None
    # The resource's AEP connection (a config namespace), set on the instance pickled into the state.
    aep_connection: str

    # --- pickling and configuration -------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_rt_")}

    def configure(self, req: ConfigureRequest) -> None:
        watch_engine()  # the engine configures every provider: stop with it
        self._rt_config = req.config.get
        self._rt_settings: dict[str, Settings] = {}

    def _settings(self, connection: str = DEFAULT_CONNECTION) -> Settings:
        """The settings of a connection (config namespace), read once per provider instance."""
        cache: dict[str, Settings] = self.__dict__.setdefault("_rt_settings", {})
        if connection not in cache:
            cache[connection] = load_settings(self.__dict__.get("_rt_config"), connection)
        return cache[connection]

    def connection(self) -> str:
        """This resource's AEP connection: set, by the resource's `connection` input, on the instance
        that is pickled into the state, so refresh and destroy use the credentials it was made with."""
        return str(self.__dict__.get("aep_connection") or DEFAULT_CONNECTION)

    def policy(self) -> RetryPolicy:
        return self.retry_policy or RetryPolicy()

    def aep(self, connection: str | None = None) -> AepClient:
        name = connection or self.connection()
        with _INIT_LOCK:
            clients: dict[str, AepClient] = self.__dict__.setdefault("_rt_aep", {})
            client = clients.get(name)
            if client is None:
                client = AepClient(self._settings(name).aep(), self.policy())
                clients[name] = client
            return client

    def customerio(self, workspace: str = "") -> CustomerIoClient:
        with _INIT_LOCK:
            clients: dict[str, CustomerIoClient] = self.__dict__.setdefault("_rt_cio", {})
            client = clients.get(workspace)
            if client is None:
                client = CustomerIoClient(self._settings().customerio(workspace), self.policy())
                clients[workspace] = client
            return client
