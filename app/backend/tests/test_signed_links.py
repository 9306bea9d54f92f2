"""Signed links (videos/access/links.py) over real HTTP: anyone holding one reads that file, with
Range, until it expires, and nothing else; deleting the video or rotating the key ends it. With
STUDIO_FRONT=nginx, nginx checks the signature itself: the link still works while the studio
process is stopped (SIGSTOP), so nothing asked it."""

from __future__ import annotations

import os
import signal
import time
from contextlib import closing

import httpx

from tests.support.studio import StudioServer

KEY = "alice-key-aaaaaaaaaaaa"
LINK_KEY, OLD_KEY = "link-key-new-0123456789", "link-key-old-0123456789"


def made(studio: StudioServer) -> tuple[dict, httpx.Client]:
    client = studio.client()
    client.headers["Authorization"] = f"Bearer {KEY}"
    job = client.post("/v1/videos", json={"prompt": "a lighthouse", "size": "64x64", "num_frames": 9})
    assert job.status_code == 201, job.text
    done = studio.wait_for_as(client, job.json()["id"])
    assert done["status"] == "completed", done
    return done, client


def link(client: httpx.Client, video_id: str, **body) -> dict:
    answer = client.post(f"/v1/videos/{video_id}/links", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def fetch(url: str, **headers: str) -> httpx.Response:
    return httpx.get(url, headers=headers, timeout=30)  # no key, no session


def test_a_link_reads_its_file_without_a_key_until_it_ends(studio_factory):
    studio = studio_factory(STUDIO_API_KEYS=f"alice:{KEY}", STUDIO_AUTH_REQUIRED="true", STUDIO_LINK_KEY=LINK_KEY)
    done, client = made(studio)
    with closing(client):
        content = client.get(done["content_url"]).content
        assert fetch(f"{studio.url}{done['content_url']}").status_code == 401  # the API still needs the key
        video = link(client, done["id"], expires_in=600)
        assert video["url"].startswith(f"{studio.url}/links/video/") and video["expires_at"] > time.time() + 590
        whole = fetch(video["url"])
        assert whole.status_code == 200 and whole.content == content
        assert whole.headers["content-type"] == "video/mp4"
        part = fetch(video["url"], Range="bytes=10-29")
        assert part.status_code == 206 and part.content == content[10:30]
        thumb = fetch(link(client, done["id"], variant="thumbnail")["url"])
        assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"

        # Changed: another file, another expiry, another signature -> 403; nothing else is readable.
        prefix, _, _ = video["url"].partition("/videos/")
        for forged in (
            video["url"].replace("/links/video/", "/links/thumbnail/"),
            video["url"].replace(str(video["expires_at"]), str(video["expires_at"] + 3600)),
            f"{prefix}/videos/video_{'0' * 32}.mp4",
            video["url"][:-5] + "X.mp4",
        ):
            refused = fetch(forged)
            assert refused.status_code == 403, (forged, refused.text)
            assert refused.json()["error"]["code"] == "link_invalid", refused.text

        # Bad requests for a link: a clear 400 each.
        bad = (({"expires_in": 0}, "expires_in"), ({"expires_in": 10**9}, "expires_in"), ({"variant": "x"}, "variant"))
        for body, param in bad:
            answer = client.post(f"/v1/videos/{done['id']}/links", json=body)
            assert answer.status_code == 400 and answer.json()["error"]["param"] == param, answer.text

        # Expired: a link that ends in a second, asked after it ended.
        short = link(client, done["id"], expires_in=1)
        while time.time() <= short["expires_at"]:
            time.sleep(0.1)
        expired = fetch(short["url"])
        assert expired.status_code == 410 and expired.json()["error"]["code"] == "link_expired"

        # Deleting the video ends its links.
        assert client.delete(f"/v1/videos/{done['id']}").status_code == 200
        assert fetch(video["url"]).status_code == 404


def test_rotating_the_key_keeps_old_links_for_the_overlap_then_ends_them(tmp_path, studio_factory):
    data = tmp_path / "rotating"
    studio = studio_factory(
        data_dir=data, STUDIO_API_KEYS=f"alice:{KEY}", STUDIO_AUTH_REQUIRED="true", STUDIO_LINK_KEY=OLD_KEY
    )
    done, client = made(studio)
    with closing(client):
        old = link(client, done["id"])["url"]
    studio.stop()
    rotating = studio_factory(
        data_dir=data,
        STUDIO_API_KEYS=f"alice:{KEY}",
        STUDIO_AUTH_REQUIRED="true",
        STUDIO_LINK_KEY=LINK_KEY,
        STUDIO_LINK_PREVIOUS_KEY=OLD_KEY,
    )
    old = old.replace(studio.url, rotating.url)
    assert fetch(old).status_code == 200
    rotating.stop()
    rotated = studio_factory(
        data_dir=data, STUDIO_API_KEYS=f"alice:{KEY}", STUDIO_AUTH_REQUIRED="true", STUDIO_LINK_KEY=LINK_KEY
    )
    gone = fetch(old.replace(rotating.url, rotated.url))
    assert gone.status_code == 403 and gone.json()["error"]["code"] == "link_invalid"


def test_nginx_checks_links_itself(studio_factory):
    studio = studio_factory(
        STUDIO_FRONT="nginx", STUDIO_API_KEYS=f"alice:{KEY}", STUDIO_AUTH_REQUIRED="true", STUDIO_LINK_KEY=LINK_KEY
    )
    done, client = made(studio)
    with closing(client):
        content = client.get(done["content_url"]).content
        video = link(client, done["id"])
        short = link(client, done["id"], expires_in=1)
    assert studio.proc is not None
    os.kill(studio.proc.pid, signal.SIGSTOP)  # nginx alone answers below: the studio cannot
    try:
        whole = fetch(video["url"])
        assert whole.status_code == 200 and whole.content == content
        assert whole.headers["content-type"] == "video/mp4"
        part = fetch(video["url"], Range="bytes=5-9")
        assert part.status_code == 206 and part.content == content[5:10]
        forged = fetch(video["url"].replace("/links/video/", "/links/thumbnail/"))
        assert forged.status_code == 403 and forged.json()["error"]["code"] == "link_invalid"
        while time.time() <= short["expires_at"]:
            time.sleep(0.1)
        expired = fetch(short["url"])
        assert expired.status_code == 410 and expired.json()["error"]["code"] == "link_expired"
    finally:
        os.kill(studio.proc.pid, signal.SIGCONT)


def test_a_spritesheet_link(studio_factory):
    studio = studio_factory(STUDIO_API_KEYS=f"alice:{KEY}", STUDIO_AUTH_REQUIRED="true")
    done, client = made(studio)
    with closing(client):
        sheet = fetch(link(client, done["id"], variant="spritesheet")["url"])
        assert sheet.status_code == 200 and sheet.headers["content-type"] == "image/jpeg"
