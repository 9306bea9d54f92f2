"""A job's Content Credentials: what its MP4's manifest says (videos/files/credentials/), from
the job, its provider and the input files the runner fetched. Also used by `signcredentials`
for videos made before signing."""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

import av
from django.conf import settings as django_settings

from videos.files import credentials, storage
from videos.files.credentials import Ingredient, Provenance
from videos.files.credentials.tags import tag_settings
from videos.files.media import InvalidVideo, VideoMetadata
from videos.files.watermark import mark_id
from videos.files.watermark_file import mark_video
from videos.models import VideoJob
from videos.providers.base import Provider

log = logging.getLogger(__name__)
EDITED = {"extend": "extended", "edit": "edited"}


def job_settings(
    job: VideoJob, provider: Provider | None, info: VideoMetadata | dict[str, Any] | None
) -> dict[str, Any]:
    """The settings assertion: what was asked for and what the file really is."""
    values: dict[str, Any] = asdict(job.params)
    values["steps"] = values.pop("num_inference_steps")
    real = info.as_dict() if isinstance(info, VideoMetadata) else (info or {})
    if real.get("width") and real.get("height"):
        values["size"] = f"{real['width']}x{real['height']}"
        values["length"] = {"frames": real.get("frames"), "seconds": real.get("duration"), "fps": real.get("fps")}
    values["model"] = model_name(job, provider)
    values["operation"] = job.operation
    values["original_prompt"] = job.original_prompt
    values["video_id"] = job.id
    return values


def model_name(job: VideoJob, provider: Provider | None) -> str:
    return f"{provider.label} ({job.provider})" if provider and provider.label else job.provider


def provenance(
    job: VideoJob,
    provider: Provider | None,
    info: VideoMetadata | dict[str, Any] | None,
    *,
    source: Path | None = None,
    image: Path | None = None,
    remixed: Path | None = None,
) -> Provenance:
    """A new video (c2pa.created), or one made from others (opened + edited, with them as ingredients)."""
    ingredients: list[Ingredient] = []
    parent = source or remixed
    if parent is not None:
        what = job.extended_from or job.edited_from or job.remixed_from
        ingredients.append(Ingredient(parent, f"video {what}" if what else "source video"))
    if image is not None:
        mime = "image/png" if image.suffix.lower() == ".png" else "image/jpeg"
        # C2PA 2.x's relationship for what a generative model was given (a start image, a last frame)
        ingredients.append(Ingredient(image, "reference image", mime, "inputTo"))
    edited = EDITED.get(job.operation, "remixed" if remixed is not None else "") if parent else ""
    preview = provider.preview if provider else job.preview
    return Provenance(
        title=f"{job.id}.mp4",
        model=model_name(job, provider),
        ai=not preview,
        settings=job_settings(job, provider, info),
        ingredients=tuple(ingredients),
        edited=edited,
    )


def remix_source(job: VideoJob) -> Path | None:
    """A local copy of the video a remix came from, if it is still stored (else no ingredient)."""
    if not job.remixed_from:
        return None
    name = VideoJob.objects.filter(id=job.remixed_from).values_list("video_file", flat=True).first()
    if not name:
        return None
    try:
        return storage.fetch_to_scratch(name, job.id, job.attempts, ".remixed")
    except OSError:
        log.warning("job %s: the remixed video %s could not be read; signed without it", job.id, job.remixed_from)
        return None


def mark_job_video(job: VideoJob, video: Path) -> bool:
    """The invisible watermark (VIDEO_WATERMARK): the video's id in its frames. A failure is logged
    and the video kept unmarked, as a signing failure is."""
    if not getattr(django_settings, "VIDEO_WATERMARK", False):
        return False
    try:
        mark_video(video, mark_id(job.id))
    except (InvalidVideo, av.FFmpegError, OSError, ValueError) as exc:
        log.warning("job %s: could not watermark its video: %s", job.id, exc)
        return False
    return True


def sign_job_video(job: VideoJob, provider: Provider, video: Path, info: VideoMetadata, **inputs: Path | None) -> bool:
    """Tag the runner's finished file with its settings (MP4 `comment`), then sign it in place; a
    failure is logged and the video kept unsigned (a job is not failed for its credentials:
    `signcredentials` can sign it later)."""
    made = provenance(job, provider, info, remixed=remix_source(job), **inputs)
    mark_job_video(job, video)  # before the tag and the manifest: the signature covers the marked frames
    try:
        tag_settings(video, made.settings, bool(getattr(django_settings, "STUDIO_C2PA_OMIT_PROMPT", False)))
    except (av.FFmpegError, OSError, ValueError) as exc:  # the tag is a convenience: the manifest still says it
        log.warning("job %s: could not write its settings as MP4 metadata: %s", job.id, exc)
    try:
        credentials.sign(video, made)
    except credentials.SigningError as exc:
        log.error("job %s: could not sign its video's Content Credentials: %s", job.id, exc)
        return False
    return True


def sign_composite(
    dest: Path, title: str, parts: list[tuple[VideoJob, Path]], what: str, extra: dict[str, Any]
) -> bool:
    """Sign a file made of finished videos (a storyboard's join, a sweep's grid): opened (the first
    part) and edited, every part an ingredient. A failure is logged; the file is kept unsigned."""
    ingredients = tuple(
        Ingredient(path, f"video {job.id}", relationship="parentOf" if number == 0 else "componentOf")
        for number, (job, path) in enumerate(parts)
    )
    settings: dict[str, Any] = dict(extra)
    settings["parts"] = [
        {"video_id": job.id, "prompt": job.prompt, "seed": job.seed, "model": job.provider} for job, _ in parts
    ]
    if getattr(django_settings, "STUDIO_C2PA_OMIT_PROMPT", False):
        for part in settings["parts"]:
            del part["prompt"]  # settings_assertion only drops top-level prompts
    models = sorted({job.provider for job, _ in parts})
    made = Provenance(
        title=title,
        model=f"Video Studio {what} of {', '.join(models) or 'no videos'}",
        ai=any(not job.preview for job, _ in parts),
        settings=settings,
        ingredients=ingredients,
        edited=what,
    )
    try:
        credentials.sign(dest, made)
    except credentials.SigningError as exc:
        log.error("%s: could not sign its Content Credentials: %s", title, exc)
        return False
    return True
