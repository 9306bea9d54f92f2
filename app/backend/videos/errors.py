"""The one error shape every endpoint answers with, OpenAI's envelope:

    {"error": {"message": "...", "type": "invalid_request_error", "param": "seed", "code": "invalid_value"}}

`InvalidRequest` is what code at any layer raises for a request a person must change; the
API turns it into that envelope with its HTTP status.
"""

from __future__ import annotations

from django.http import JsonResponse

# OpenAI's error types, chosen from the HTTP status.
ERROR_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}


class InvalidRequest(Exception):
    def __init__(self, param: str | None, message: str, code: str = "invalid_value", status: int = 400) -> None:
        super().__init__(message)
        self.param, self.message, self.code, self.status = param, message, code, status


def error_body(message: str, *, status: int = 400, code: str | None = None, param: str | None = None) -> dict:
    kind = ERROR_TYPES.get(status, "server_error" if status >= 500 and status != 503 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def error_response(
    message: str, *, status: int = 400, code: str | None = None, param: str | None = None
) -> JsonResponse:
    return JsonResponse(error_body(message, status=status, code=code, param=param), status=status)


def error_from(exc: InvalidRequest) -> JsonResponse:
    return error_response(exc.message, status=exc.status, code=exc.code, param=exc.param)
