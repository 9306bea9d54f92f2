"""`GET /v1/videos/{id}/credentials`: the video's Content Credentials (C2PA manifest store, as
c2pa's Reader reads it from the stored file) with their validation state (docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.http import HttpRequest
from ninja import Router, Schema

from videos.api.schemas import ErrorOut
from videos.api.visible import get_job
from videos.files import credentials, storage
from videos.jobs.service import require_completed

router = Router(tags=["videos"])


class CredentialsOut(Schema):
    object: str = "video.credentials"
    video_id: str
    signed: bool  # False: no manifest (made before signing; `manage.py signcredentials` signs it)
    # c2pa's: "Trusted" (signer on a trust list), "Valid" (intact, signer not trusted), "Invalid"
    validation_state: str | None = None
    validation_results: dict[str, Any] | None = None
    manifest_store: dict[str, Any] | None = None
    error: str | None = None


@router.get(
    "/videos/{video_id}/credentials",
    response={200: CredentialsOut, 404: ErrorOut},
    summary="Studio extension: the video's Content Credentials (C2PA manifest store) and their validation",
)
def video_credentials(request: HttpRequest, video_id: str) -> dict[str, Any]:
    job = get_job(request, video_id, "id", "owner", "status", "video_file")
    require_completed(job, "The video is {status}; its credentials exist once it is completed.", "video_not_ready", 404)
    storage.stored_size(job.video_file)  # a 404 file_missing, not the storage's 500
    with default_storage.open(job.video_file, "rb") as fh:  # c2pa streams it: hashed, never held whole
        try:
            found = credentials.read(fh)
        except credentials.NoCredentials:
            return {"video_id": job.id, "signed": False}
    return {"video_id": job.id, "signed": True, **found}
