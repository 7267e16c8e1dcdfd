"""`providers.settings`: provider credentials and endpoints, from stack config or the environment."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from aep_customerio.providers.errors import redact, shown
from aep_customerio.providers.settings import (
    ENV,
    AepSettings,
    ConfigurationError,
    CustomerIoSettings,
    load_settings,
)
from aep_customerio.providers.urls import check_base_url

AEP = {"aep:clientId": "cfg-id", "aep:clientSecret": "cfg-secret-value", "aep:orgId": "ORG@AdobeOrg"}


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for env in ENV.values():
        monkeypatch.delenv(env, raising=False)


def problems(config: dict[str, str]) -> str:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(config.get).check()
    return str(caught.value)


# --- moved from test_transport_and_errors.py -----------------------------------------------


def test_settings_config_then_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AEP_CLIENT_ID", "env-id")
    monkeypatch.setenv("AEP_CLIENT_SECRET", "env-secret")
    monkeypatch.setenv("AEP_ORG_ID", "ORG@AdobeOrg")
    cfg = {"aep:clientId": "cfg-id", "aep:scopes": "a, b ,c", "customerio:region": "eu"}
    settings = load_settings(lambda k: cfg.get(k))
    aep = settings.aep()
    assert isinstance(aep, AepSettings) and isinstance(aep.client_secret, SecretStr)
    assert (aep.client_id, aep.client_secret.get_secret_value(), aep.scopes) == (
        "cfg-id",
        "env-secret",
        "a,b,c",
    )
    assert aep.platform_url == "https://platform.adobe.io" and "env-secret" not in repr(aep)
    with pytest.raises(ConfigurationError, match="customerio:appApiKey"):
        settings.customerio()
    cio = load_settings({**cfg, "customerio:appApiKey": "k"}.get).customerio()
    assert isinstance(cio, CustomerIoSettings)
    assert cio.api_url == "https://api-eu.customer.io"
    with pytest.raises(ConfigurationError, match="loopback"):
        load_settings({**cfg, "aep:platformUrl": "http://example.com"}.get).aep()


def test_missing_aep_credentials_name_keys() -> None:
    with pytest.raises(ConfigurationError, match=r"aep:clientSecret \(or env AEP_CLIENT_SECRET\)"):
        load_settings(lambda k: None).aep()


def test_customerio_key_per_workspace_never_falls_back() -> None:
    values = {
        "customerio:appApiKey": "default-key",
        "customerio:appApiKeys": '{"marketing": "marketing-key"}',
        "customerio:region": "eu",
    }
    settings = load_settings(values.get)
    assert settings.customerio().app_api_key.get_secret_value() == "default-key"
    marketing = settings.customerio("marketing")
    assert marketing.app_api_key.get_secret_value() == "marketing-key"
    assert marketing.api_url == "https://api-eu.customer.io"
    with pytest.raises(ConfigurationError, match=r"customerio:appApiKeys\.transactional"):
        settings.customerio("transactional")
    with pytest.raises(ConfigurationError, match="must be an object"):
        load_settings({"customerio:appApiKeys": '["a"]'}.get).customerio("a")
    assert "marketing-key" not in repr(settings)
    assert redact("rejected key marketing-key") == "rejected key ***"


# --- one model, every key by name -----------------------------------------------------------


def test_a_complete_configuration_checks_clean() -> None:
    settings = load_settings(
        {**AEP, "customerio:appApiKey": "k", "aep:platformUrl": "http://127.0.0.1:9/"}.get
    )
    settings.check()
    assert settings.aep().platform_url == "http://127.0.0.1:9"
    assert settings.has_customerio_key()


def test_empty_values_count_as_unset_then_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AEP_CLIENT_ID", "env-id")
    assert load_settings({**AEP, "aep:clientId": ""}.get).aep().client_id == "env-id"
    monkeypatch.delenv("AEP_CLIENT_ID")
    message = problems({**AEP, "aep:clientId": ""})
    assert "aep:clientId (or env AEP_CLIENT_ID) is not set" in message
    assert "`pulumi config set aep:clientId <value>`" in message


def test_blank_client_id_is_refused() -> None:
    assert "aep:clientId: got '   ': must not be empty or blank" in problems({**AEP, "aep:clientId": "   "})


def test_empty_customerio_key_is_not_a_key() -> None:
    """The program and the providers agree: "" is no key (the program once counted it as one)."""
    settings = load_settings({"customerio:appApiKey": ""}.get)
    assert not settings.has_customerio_key()
    assert not load_settings({"customerio:appApiKeys": '{"eu": ""}'}.get).has_customerio_key("eu")
    assert load_settings({"customerio:appApiKeys": '{"eu": "k"}'}.get).has_customerio_key("eu")
    assert not load_settings({"customerio:appApiKeys": "not json"}.get).has_customerio_key("eu")


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"customerio:region": "mars"}, "customerio:region: got 'mars'"),
        (
            {"customerio:apiUrl": "api.customer.io"},
            "customerio:apiUrl: 'api.customer.io' is not an https:// URL",
        ),
        ({"customerio:apiUrl": "http://api.customer.io"}, "customerio:apiUrl: plain http:// is only allowed"),
        ({"aep:platformUrl": "https//platform.adobe.io"}, "aep:platformUrl: "),
        ({"aep:platformUrl": "http://platform.adobe.io"}, "aep:platformUrl: plain http://"),
        ({"aep:imsUrl": "https://ims na1.adobelogin.com"}, "aep:imsUrl: "),
        ({"aep:platformUrl": "https://platform.adobe.io:99999"}, "aep:platformUrl: "),
        ({"customerio:appApiKeys": "[1]"}, "customerio:appApiKeys: "),
        ({"aep:lookupTimeoutSeconds": "0"}, "aep:lookupTimeoutSeconds: got '0'"),
        ({"aep:lookupTimeoutSeconds": "soon"}, "aep:lookupTimeoutSeconds: got 'soon'"),
        ({"customerio:appApiKeys": "{not json"}, "must be an object {workspace: key}"),
    ],
)
def test_check_names_the_key(config: dict[str, str], expected: str) -> None:
    message = problems({**AEP, **config})
    assert message.startswith("invalid provider configuration:")
    assert expected in message
    assert len(message.splitlines()) == 3, "one problem, one line, then how to fix it"


def test_every_problem_is_listed_at_once() -> None:
    message = problems({"aep:clientSecret": "s3cr3t-value", "customerio:region": "mars"})
    for key in ("aep:clientId", "aep:orgId", "customerio:region"):
        assert key in message


def test_values_from_the_environment_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTOMERIO_REGION", "mars")
    assert "customerio:region (from env CUSTOMERIO_REGION): got 'mars'" in problems(AEP)


def test_no_secret_and_no_huge_value_in_messages() -> None:
    secrets = {
        "aep:clientSecret": "x" * 3,  # too short to redact: the message must not print it anyway
        "customerio:appApiKey": "",
        "customerio:appApiKeys": '{"eu": "workspace-key-1", "us": 5}',
    }
    huge = "https://" + "a" * 100_000 + ".example.com"
    message = problems({**AEP, **secrets, "aep:clientId": "", "customerio:apiUrl": "ftp://" + "b" * 100_000})
    assert "workspace-key-1" not in message and "xxx" not in message
    assert len(message) < 1000
    message = problems({**AEP, "aep:imsUrl": huge})
    assert len(message) < 500 and "100020 characters" in message


def test_credentials_in_a_url_are_refused_without_echo() -> None:
    message = problems({**AEP, "aep:platformUrl": "https://user:hunter2@platform.adobe.io"})
    assert "aep:platformUrl: credentials do not belong in the URL" in message
    assert "hunter2" not in message


def test_settings_repr_shows_no_secret() -> None:
    settings = load_settings({**AEP, "customerio:appApiKey": "the-app-key"}.get)
    assert "cfg-secret-value" not in repr(settings) and "the-app-key" not in repr(settings)
    assert "cfg-secret-value" not in str(settings.aep()) and "the-app-key" not in str(settings.customerio())


def test_secrets_are_registered_for_redaction() -> None:
    load_settings({**AEP, "customerio:appApiKeys": '{"eu": "registered-workspace-key"}'}.get)
    assert redact("cfg-secret-value and registered-workspace-key") == "*** and ***"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://platform.adobe.io", True),
        ("https://platform.adobe.io/", True),
        ("http://127.0.0.1:8765", True),
        ("http://localhost:1/", True),
        ("http://[::1]:80", True),
        ("http://platform.adobe.io", False),
        ("ftp://x", False),
        ("platform.adobe.io", False),
        ("https://", False),
        ("https://a b.com", False),
        ("https://x.com?y=1", False),
        ("https://x.com:notaport", False),
    ],
)
def test_base_url_policy(url: str, ok: bool) -> None:
    if ok:
        assert not check_base_url(url, "k").endswith("/")
    else:
        with pytest.raises(ValueError, match=r"^k: "):
            check_base_url(url, "k")


def test_shown_truncates() -> None:
    assert shown("short") == "'short'"
    assert shown("y" * 1000) == "'" + "y" * 58 + "… (1000 characters)"


def test_lookup_timeout_defaults_to_a_minute_and_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    unset: dict[str, str] = {}
    assert load_settings(unset.get).lookup_timeout() == 60.0
    assert load_settings({"aep:lookupTimeoutSeconds": "120"}.get).lookup_timeout() == 120.0
    monkeypatch.setenv("AEP_LOOKUP_TIMEOUT_SECONDS", "15")
    assert load_settings(unset.get).lookup_timeout() == 15.0


def test_another_connection_reads_its_own_namespace_and_never_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AEP_CLIENT_ID", "from-env")
    config = {"aep-eu:clientId": "eu-id", "aep-eu:clientSecret": "eu-secret", "aep-eu:orgId": "EU@AdobeOrg"}
    aep = load_settings(config.get, "aep-eu").aep()
    assert (aep.client_id, aep.org_id) == ("eu-id", "EU@AdobeOrg")
    assert aep.client_secret.get_secret_value() == "eu-secret"
    with pytest.raises(ConfigurationError) as caught:
        load_settings({"aep-eu:orgId": "EU@AdobeOrg"}.get, "aep-eu").aep()
    message = str(caught.value)
    assert "aep-eu:clientId is not set" in message and "aep-eu:clientSecret is not set" in message
    assert "AEP_CLIENT_ID" not in message and "from-env" not in message
