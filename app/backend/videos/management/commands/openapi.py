"""`manage.py openapi [--output FILE]`: the /v1 API's OpenAPI document, as the server serves it.

The page's TypeScript types are generated from this file (app/frontend/src/api/), and a
test fails when the committed copy differs from what the server describes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from videos.api import api


def openapi_text() -> str:
    return json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write the /v1 API's OpenAPI document (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args: object, output: str | None, **options: Any) -> None:
        text = openapi_text()
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
