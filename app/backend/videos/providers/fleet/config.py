"""Several tt-media-servers as one provider: `CLOUD_VIDEO_GENERATION_URL` lists them
(comma-separated), `..._AUTH_TOKEN` gives a token each in the same order or one for all, and
`..._CONCURRENCY` a concurrency each or one for all. Each gets a name, `tt-1`, `tt-2`, ... in
that order: what the API, the page, logs and metrics call it (never its URL or token)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class UpstreamSpec:
    name: str
    url: str
    token: str = field(default="", repr=False)
    concurrency: int = 1


def _items(value: str) -> list[str]:
    return [part.strip() for part in value.split(",")]


def _per_upstream(value: str, count: int, setting: str) -> list[str]:
    """One value for all, or one each in the URLs' order."""
    items = _items(value) if value.strip() else [""]
    if len(items) == 1:
        return items * count
    if len(items) != count:
        raise ValueError(f"{setting} lists {len(items)} values for {count} URLs: give one for all or one each.")
    return items


def parse_upstreams(urls: str, tokens: str = "", concurrency: str | int = 1) -> list[UpstreamSpec]:
    """The configured upstreams; none when `urls` is empty."""
    listed = [u for u in _items(urls) if u]
    if not listed:
        return []
    token_list = _per_upstream(tokens, len(listed), "CLOUD_VIDEO_GENERATION_AUTH_TOKEN")
    counts = _per_upstream(str(concurrency), len(listed), "CLOUD_VIDEO_GENERATION_CONCURRENCY")
    specs = []
    for index, (url, token, count) in enumerate(zip(listed, token_list, counts, strict=True), start=1):
        try:
            slots = int(count or 1)
        except ValueError:
            raise ValueError(f"CLOUD_VIDEO_GENERATION_CONCURRENCY must be whole numbers; got {count!r}.") from None
        specs.append(UpstreamSpec(f"tt-{index}", url.rstrip("/"), token, max(1, slots)))
    return specs
