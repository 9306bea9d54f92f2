"""Reading a request's JSON object body, with the API's errors for anything else."""
from __future__ import annotations

import json

from django.http import HttpRequest

from .service import InvalidRequest


def json_object(request: HttpRequest) -> dict:
    """The body as a dict (an empty body is {}); InvalidRequest for bad JSON or a non-object."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest(None, "The body is not valid JSON.", "invalid_json") from None
    if not isinstance(data, dict):
        raise InvalidRequest(None, "The body must be a JSON object.", "invalid_json")
    return data
