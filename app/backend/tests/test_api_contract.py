"""The API is described once: the committed OpenAPI file (from which the page's TypeScript
types are generated) must be what the server describes, and the schema must say what the
server enforces."""

from __future__ import annotations

import json
from pathlib import Path

from videos.jobs.request import BOUNDS, MAX_PROMPT
from videos.management.commands.openapi import openapi_text

COMMITTED = Path(__file__).resolve().parents[2] / "frontend" / "src" / "api" / "openapi.json"
REGENERATE = (
    "cd app/backend && python manage.py openapi --output ../frontend/src/api/openapi.json"
    " && cd ../frontend && npm run gen:api  (python3 run.py does both)"
)


def test_committed_openapi_document_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == openapi_text(), f"stale; regenerate with: {REGENERATE}"


def test_create_body_schema_states_the_servers_rules() -> None:
    doc = json.loads(openapi_text())
    body = doc["paths"]["/v1/videos"]["post"]["requestBody"]["content"]
    schema = body["application/json"]["schema"]
    assert schema["additionalProperties"] is False and schema["required"] == ["prompt"]
    props = schema["properties"]
    assert props["prompt"]["maxLength"] == MAX_PROMPT
    for field, (low, high) in BOUNDS.items():
        integer = next(option for option in props[field]["anyOf"] if option["type"] == "integer")
        assert (integer["minimum"], integer["maximum"]) == (low, high), field
    form = body["multipart/form-data"]["schema"]["properties"]
    assert form["input_reference"]["format"] == "binary" and set(props) < set(form)


def test_video_object_schema_names_every_field_the_page_reads() -> None:
    video = json.loads(openapi_text())["components"]["schemas"]["Video"]
    assert video["properties"]["status"]["enum"] == ["queued", "in_progress", "completed", "failed", "cancelled"]
    assert {"status_message", "cancel_requested", "negative_prompt"} <= set(video["required"])
    assert video["properties"]["negative_prompt"]["type"] == "string"
