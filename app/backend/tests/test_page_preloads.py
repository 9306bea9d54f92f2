"""index.html names the chunks of the page asked for (studio/frontend.py), so the browser fetches
them beside the first script rather than after it has run (docs/performance.md, Lighthouse)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

INDEX = '<!doctype html><html><head><title>Video Studio</title></head><body><div id="root"></div></body></html>'
PRELOADS = {
    "/video-generation": ["/assets/VideoGenPage-Aa11Bb22.js", "/assets/clipboard-Cc33Dd44.js"],
    "/sweep": ["/assets/SweepPage-Ee55Ff66.js"],
}


@pytest.fixture
def dist(tmp_path: Path, settings) -> Path:
    (tmp_path / ".vite").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / ".vite" / "route-preloads.json").write_text(json.dumps(PRELOADS))
    settings.FRONTEND_DIST = tmp_path
    return tmp_path


def preloads(html: bytes) -> list[str]:
    head = html.split(b"</head>")[0].decode()
    return [part.split('"')[0] for part in head.split('<link rel="modulepreload" crossorigin href="')[1:]]


@pytest.mark.django_db
def test_each_page_names_its_own_chunks_in_the_head(client, dist: Path) -> None:
    assert preloads(client.get("/video-generation").content) == PRELOADS["/video-generation"]
    assert preloads(client.get("/sweep/").content) == PRELOADS["/sweep"]  # a trailing slash is the same page
    assert preloads(client.get("/").content) == []  # the home page is in the first script
    assert preloads(client.get("/no-such-page").content) == []
    assert client.get("/sweep").content.endswith(b"</body></html>")  # the rest of the page as built


@pytest.mark.django_db
def test_a_new_build_is_read_again_and_an_older_one_still_serves(client, dist: Path) -> None:
    assert preloads(client.get("/sweep").content) == PRELOADS["/sweep"]
    (dist / ".vite" / "route-preloads.json").write_text(json.dumps({"/sweep": ["/assets/SweepPage-Gg77Hh88.js"]}))
    index = dist / "index.html"
    index.write_text(INDEX.replace("Video Studio", "Video Studio "))
    os.utime(index, (index.stat().st_atime, index.stat().st_mtime + 5))  # the build's time moves on
    assert preloads(client.get("/sweep").content) == ["/assets/SweepPage-Gg77Hh88.js"]

    (dist / ".vite" / "route-preloads.json").unlink()  # a build from before the preloads
    os.utime(index, (index.stat().st_atime, index.stat().st_mtime + 5))
    answer = client.get("/sweep")
    assert answer.status_code == 200 and preloads(answer.content) == []
    assert answer.content == INDEX.replace("Video Studio", "Video Studio ").encode()
