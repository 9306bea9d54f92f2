"""S3 storage on the scale-out path, against moto's S3 server on loopback: a worker writes the
video to the bucket only, a studio answers with a presigned redirect (Range and downloads on the
signed URL) or streams it through itself, and a deleted job leaves nothing in the bucket.

Every process is a real subprocess; Redis and PostgreSQL are this machine's
(tests/support/scale_services.py).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator

import boto3
import httpx
import pytest

from tests.support.cluster import create, start_all, wait_until
from tests.support.studio import StudioServer, free_port
from tests.support.worker import CeleryWorker

pytestmark = pytest.mark.scale
pytest_plugins = ["tests.support.scale_services", "tests.support.scale_cluster"]  # services, the cluster


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    port = free_port()
    with open(
        tmp_path_factory.mktemp("moto") / "moto.log", "wb"
    ) as log:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: _port_open(port) or proc.poll() is not None, 30, "moto's S3 server")
        assert proc.poll() is None, "moto_server exited; see its log"
        settings = {
            "STUDIO_S3_BUCKET": "studio-media",
            "STUDIO_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "STUDIO_S3_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "test-key",
            "AWS_SECRET_ACCESS_KEY": "test-secret",
        }
        s3_client(settings).create_bucket(Bucket=settings["STUDIO_S3_BUCKET"])
        yield settings
    finally:
        proc.terminate()
        proc.wait(10)


def s3_client(settings: dict[str, str]):
    return boto3.client(
        "s3",
        endpoint_url=settings["STUDIO_S3_ENDPOINT_URL"],
        region_name=settings["STUDIO_S3_REGION"],
        aws_access_key_id=settings["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=settings["AWS_SECRET_ACCESS_KEY"],
    )


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_s3_storage_presigned_redirect_and_proxied_range(tmp_path, s3, postgres_url, redis_url):
    common = {
        "DATABASE_URL": postgres_url,
        "VIDEO_JOB_BACKEND": "celery",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_QUEUE_PREFIX": f"studio-test-s3-{uuid.uuid4().hex[:6]}",
        **s3,
    }
    # Separate data folders: the only way a file gets from the worker to a studio is S3.
    worker = CeleryWorker(tmp_path / "worker", "preview", 1, **common)
    redirecting = StudioServer(tmp_path / "redirect", **common)
    proxying = StudioServer(tmp_path / "proxy", STUDIO_S3_PRESIGNED_REDIRECT="false", **common)
    with contextlib.ExitStack() as stack:
        for process in (worker, redirecting, proxying):
            stack.callback(process.stop)
        worker.launch()  # boots while the studios do
        start_all(redirecting, proxying)
        worker.wait_ready()
        with redirecting.client() as client:
            job = create(client, model="preview", prompt="stored in S3", size="64x64", num_frames=1)
            done = redirecting.wait_for(job["id"], timeout=30)
            assert done["status"] == "completed", (done, worker.logs())
            stored = (
                s3_client(s3).get_object(Bucket=s3["STUDIO_S3_BUCKET"], Key=f"videos/{job['id']}.mp4")["Body"].read()
            )
            assert len(stored) == done["metadata"]["bytes"]
            assert not list((tmp_path / "worker").glob("media/**/*.mp4"))  # nothing kept on the worker's disk

            hop = client.get(done["content_url"])
            assert hop.status_code == 302 and hop.headers["location"].startswith(s3["STUDIO_S3_ENDPOINT_URL"])
            assert "X-Amz-Signature=" in hop.headers["location"]
            part = httpx.get(hop.headers["location"], headers={"Range": "bytes=8-99"})
            assert part.status_code == 206 and part.content == stored[8:100]
            download = client.get(done["content_url"] + "?download=1")
            signed = httpx.get(download.headers["location"])
            assert signed.status_code == 200 and signed.content == stored
            assert signed.headers["content-disposition"].startswith("attachment")
            thumb = httpx.get(client.get(done["thumbnail_url"]).headers["location"])
            assert thumb.status_code == 200 and thumb.content[:3] == b"\xff\xd8\xff"  # JPEG

        with proxying.client() as client:
            full = client.get(done["content_url"])
            part = client.get(done["content_url"], headers={"Range": "bytes=8-99"})
            assert full.status_code == 200 and full.content == stored
            assert part.status_code == 206 and part.content == stored[8:100]
            assert part.headers["content-range"] == f"bytes 8-99/{len(stored)}"
            assert client.delete(f"/v1/videos/{job['id']}").json()["deleted"] is True
        listed = s3_client(s3).list_objects_v2(Bucket=s3["STUDIO_S3_BUCKET"]).get("Contents", [])
        assert [o["Key"] for o in listed if job["id"] in o["Key"]] == []  # deleted from the bucket too
