"""Builds the configured providers from settings, once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from videos.providers.base import Provider
from videos.providers.local_wan.engine import LocalWanProvider
from videos.providers.openai_videos import OpenAIVideosProvider
from videos.providers.preview import PreviewProvider
from videos.providers.tt_cloud import TTCloudProvider


class UnknownProvider(LookupError):
    pass


# UpstreamJobProvider's options, each read from the setting `<prefix><OPTION>` of its provider.
UPSTREAM_JOB_OPTIONS = ("TIMEOUT", "JOB_TIMEOUT", "POLL_INTERVAL", "CONCURRENCY", "CA_BUNDLE")


def _upstream_job_settings(prefix: str) -> dict[str, Any]:
    """The options every job-making HTTP upstream takes, from its settings (`OPENAI_VIDEO_TIMEOUT`
    -> timeout=...), with the studio-wide cap on an upstream's video."""
    options = {name.lower(): getattr(settings, prefix + name) for name in UPSTREAM_JOB_OPTIONS}
    return {**options, "max_bytes": settings.VIDEO_MAX_UPSTREAM_BYTES}


@lru_cache(maxsize=1)
def _providers() -> dict[str, Provider]:
    providers: list[Provider] = [
        TTCloudProvider(
            settings.CLOUD_VIDEO_GENERATION_URL,
            settings.CLOUD_VIDEO_GENERATION_AUTH_TOKEN,
            **_upstream_job_settings("CLOUD_VIDEO_GENERATION_"),
            warmup_timeout=settings.CLOUD_VIDEO_GENERATION_WARMUP_TIMEOUT,
            steps_range=(settings.CLOUD_VIDEO_GENERATION_MIN_STEPS, settings.CLOUD_VIDEO_GENERATION_MAX_STEPS),
            modes=settings.CLOUD_VIDEO_GENERATION_MODES,
            last_frame_pos=settings.CLOUD_VIDEO_GENERATION_LAST_FRAME_POS,
            aspect_ratios=settings.CLOUD_VIDEO_GENERATION_ASPECT_RATIOS,
            durations=settings.CLOUD_VIDEO_GENERATION_DURATIONS,
            liveness_interval=settings.CLOUD_VIDEO_GENERATION_LIVENESS_INTERVAL,
            queue_ahead=settings.CLOUD_VIDEO_GENERATION_QUEUE_AHEAD,
            resume_wait=settings.CLOUD_VIDEO_GENERATION_RESUME_WAIT,
            workers_sized=settings.VIDEO_JOB_BACKEND == "celery",
            discover=True,
        ),
        OpenAIVideosProvider(
            settings.OPENAI_VIDEO_BASE_URL,
            settings.OPENAI_VIDEO_API_KEY,
            model=settings.OPENAI_VIDEO_MODEL,
            **_upstream_job_settings("OPENAI_VIDEO_"),
            extra_fields=settings.OPENAI_VIDEO_EXTRA_FIELDS,
            sizes=settings.OPENAI_VIDEO_SIZES,
            seconds=settings.OPENAI_VIDEO_SECONDS,
        ),
        LocalWanProvider(
            settings.LOCAL_WAN_MODEL_PATH or None,
            device=settings.LOCAL_WAN_DEVICE,
            dtype=settings.LOCAL_WAN_DTYPE,
            fps=settings.LOCAL_WAN_FPS,
        ),
        PreviewProvider(
            enabled=settings.VIDEO_PREVIEW_ENABLED,
            concurrency=settings.VIDEO_PREVIEW_CONCURRENCY,
            gate_dir=Path(settings.VIDEO_PREVIEW_GATE_DIR) if settings.VIDEO_PREVIEW_GATE_DIR else None,
        ),
    ]
    return {p.name: p for p in providers}


def all_providers() -> list[Provider]:
    return list(_providers().values())


def get_provider(name: str) -> Provider:
    try:
        return _providers()[name]
    except KeyError:
        raise UnknownProvider(name) from None


def default_provider_name() -> str:
    """VIDEO_DEFAULT_PROVIDER, else the first ready real model, else the preview engine."""
    if settings.VIDEO_DEFAULT_PROVIDER:
        return settings.VIDEO_DEFAULT_PROVIDER
    providers = all_providers()
    for provider in providers:
        if not provider.preview and provider.status().ready:
            return provider.name
    for provider in providers:
        if provider.status().ready:
            return provider.name
    return "tt-cloud"
