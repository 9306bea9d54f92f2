"""/robots.txt is a robots file (Lighthouse's SEO audit reads it), not the page's HTML."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_robots_txt_lets_crawlers_see_the_page_but_not_the_api(client) -> None:
    answer = client.get("/robots.txt")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain")
    lines = answer.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Allow: /" in lines and "Disallow: /v1/" in lines and "Disallow: /auth/" in lines
    assert "Disallow: /" not in lines  # the page itself stays indexable
    assert b"<html" not in answer.content.lower()
