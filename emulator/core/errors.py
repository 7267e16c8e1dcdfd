"""Error bodies in the shapes each AEP service (and Customer.io, IMS) answers with."""

from __future__ import annotations

import contextvars
import time
from typing import Any

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

STATUS_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Resource not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ApiError(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def _status_of(code: str) -> int:
    return int(code.rsplit("-", 1)[1])


def gateway(code: str, message: str, status: int | None = None) -> ApiError:
    return ApiError(status or int(code[:3]), {"error_code": code, "message": message})


def _problem(kind: str, code: str, title: str | None, report: dict[str, Any], text_key: str) -> ApiError:
    """The problem+json shape of Flow Service, Schema Registry and Data Prep (`text_key` differs)."""
    status = _status_of(code)
    scheme = "http" if kind == "XDM" else "https"
    return ApiError(
        status,
        {
            "type": f"{scheme}://ns.adobe.com/aep/errors/{kind}-{code}",
            "title": title or STATUS_TITLES.get(status, "Error"),
            "status": status,
            "report": report,
            text_key: report["detailed-message"],
        },
    )


# Titles of Adobe's Flow Service error catalogue (help/sources/errors/flow-service-errors.md); a code
# not listed there is "Invalid request" when it is a 400. 1439 is a 404 in Adobe's live example
# (help/sources/tutorials/api/labels.md) though the catalogue prints 1439-400.
FLOW_TITLES = {
    "1102-500": "Internal Error",
    "1103-503": "Service Unavailable",
    "1104-504": "Gateway Timeout",
    "1400-500": "Internal Error",
    "1403-400": "Header is missing",
    "1404-412": "Version not matching",
    "1439-404": "Resource not found",
    "2100-404": "Sandbox not found",
    "2105-400": "Header is missing",
    "2118-403": "Missing permission",
    "2120-403": "Forbidden",
    "2121-403": "Forbidden",
}


def flow(code: str, message: str, title: str | None = None, report: dict[str, Any] | None = None) -> ApiError:
    """A Flow Service problem; ``report`` adds keys such as the 404's ``id`` and ``type``."""
    body = {"detailed-message": message, "request-id": REQUEST_ID.get(), **(report or {})}
    default = FLOW_TITLES.get(code) or ("Invalid request" if code.endswith("-400") else None)
    return _problem("FLOW", code, title or default, body, "errorMessage")


def xdm(code: str, message: str, title: str | None = None) -> ApiError:
    report = {
        "registryRequestId": REQUEST_ID.get(),
        "timestamp": time.strftime("%m-%d-%Y %H:%M:%S", time.gmtime()),
        "detailed-message": message,
        "sub-errors": [],
    }
    return _problem("XDM", code, title, report, "detail")


def dataprep(code: str, message: str, title: str | None = None) -> ApiError:
    report = {"detailed-message": message, "request-id": REQUEST_ID.get()}
    return _problem("DATAPREP", code, title, report, "detail")


def catalog(status: int, message: str, code: str | None = None) -> ApiError:
    # Runtime shape UNCONFIRMED; the spec's {code, rows, description} plus the request id.
    return ApiError(
        status,
        {
            "code": code or f"err-{status}",
            "description": message,
            "rows": [],
            "requestId": REQUEST_ID.get(),
        },
    )


def ims(status: int, error: str, description: str) -> ApiError:
    return ApiError(status, {"error": error, "error_description": description})


def customerio(status: int, message: str) -> ApiError:
    return ApiError(status, {"meta": {"error": message, "request_id": REQUEST_ID.get()}})


def inlet(status: int, message: str, title: str | None = None) -> ApiError:
    return ApiError(
        status,
        {
            "type": "https://ns.adobe.com/adobecloud/problem/data-collection-service",
            "status": status,
            "title": title or STATUS_TITLES.get(status, "Error"),
            "report": {"message": message, "request-id": REQUEST_ID.get()},
        },
    )


def identity(status: int, code: str, message: str) -> ApiError:
    """identity-service.yaml: the `namespacevalidation` problem with `report.code`."""
    return ApiError(
        status,
        {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "type": "http://ns.adobe.com/adobecloud/problem/namespacevalidation",
            "status": status,
            "title": "Namespace Validation",
            "report": {"code": code, "message": message, "request-id": REQUEST_ID.get()},
        },
    )


def insights(code: str, message: str, title: str = "Bad request") -> ApiError:
    """observability-insights.yaml `error`: {errorCode, httpStatus, title, details}; codes INSGHT-nnnn-sss."""
    status = _status_of(code)
    return ApiError(
        status, {"errorCode": f"INSGHT-{code}", "httpStatus": status, "title": title, "details": message}
    )


def admin(status: int, message: str) -> ApiError:
    return ApiError(status, {"error": message, "request_id": REQUEST_ID.get()})


_DEFAULT_CODES = {
    # Flow Service: catalogue codes where one fits (1100-400 "Invalid request", 1102-500, 1103-503);
    # the catalogue has no 405/413/415, so those take 1900-*, a number the catalogue does not use.
    "flowservice": {
        400: "1100-400",
        404: "1439-404",
        405: "1900-405",
        413: "1900-413",
        415: "1900-415",
        500: "1102-500",
        503: "1103-503",
    },
    "schemaregistry": {400: "1000-400", 404: "1010-404", 405: "1405-405", 413: "1413-413", 415: "1415-415"},
    "conversion": {400: "1000-400", 404: "1001-404", 405: "1405-405", 413: "1413-413", 415: "1415-415"},
}


def for_service(service: str, status: int, message: str) -> ApiError:
    """A generic error (bad body, unknown route...) in the shape of the service it hit."""
    if service in _DEFAULT_CODES:
        code = _DEFAULT_CODES[service].get(status, f"1000-{status}")
        if service == "flowservice":
            return flow(code, message)
        if service == "schemaregistry":
            return xdm(code, message)
        return dataprep(code, message)
    if service == "catalog":
        return catalog(status, message)
    if service == "ims":
        return ims(status, "invalid_request", message)
    if service == "customerio":
        return customerio(status, message)
    if service == "inlet":
        return inlet(status, message)
    if service == "identity":
        return identity(status, "INVALID_REQUEST_PARAMS" if status == 400 else f"HTTP_{status}", message)
    if service == "observability":
        return insights(f"1000-{status}" if status < 500 else "1002-500", message)
    if service == "gateway":
        return gateway(f"{status}000", message, status)
    return admin(status, message)
