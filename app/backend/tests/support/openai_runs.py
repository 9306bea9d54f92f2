"""Driving the `openai` provider's generate() directly (NullContext) against the strict server
(tests/support/openai_strict.py), for tests/test_openai_provider*.py: a provider with short
retry waits, one run to a file, and the ProviderError a failing run raises.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.openai_strict import StrictOpenAI
from videos.providers.base import GenerationRequest, NullContext, ProviderError
from videos.providers.openai_videos import OpenAIVideosProvider
from videos.providers.upstream_faults import RetryPolicy

FAST = RetryPolicy(initial_delay=0.02, max_delay=0.05)  # the SDK's rules, shorter waits


def provider_for(server: StrictOpenAI, *, fast: bool = True, **options: object) -> OpenAIVideosProvider:
    settings: dict = {"timeout": 5.0, "job_timeout": 20.0, "poll_interval": 0.05, **options}
    provider = OpenAIVideosProvider(server.url, server.key, **settings)
    if fast:
        provider.retry = FAST
    return provider


def run(provider: OpenAIVideosProvider, tmp_path: Path, ctx: NullContext | None = None, **fields: object) -> Path:
    dest = tmp_path / "out.mp4"
    request = GenerationRequest(**{"prompt": "A lighthouse at dawn", **fields})  # type: ignore[arg-type]
    provider.generate(request, dest, ctx or NullContext())
    return dest


def failure(provider: OpenAIVideosProvider, tmp_path: Path, **fields: object) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        run(provider, tmp_path, None, **fields)
    return caught.value
