"""One request to an OpenAI-compatible chat completions endpoint (TT Studio's LLM endpoint, vLLM,
Ollama, OpenAI): the person's prompt in, a suggested rewrite out.

The request is the official `openai` client's shape (POST {PROMPT_ENHANCER_URL}/chat/completions,
JSON with `model` and `messages`, a Bearer key when one is set), non-streamed; a server that
streams anyway (Server-Sent Events) is read too. Every failure is an EnhancerError with a message
a person can act on, and the key appears in no message, log line or answer.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from videos.errors import InvalidRequest
from videos.prompts.instructions import Mode, messages
from videos.providers.upstream_faults import retry_after, short_reason, transport_error
from videos.providers.upstream_http import make_client
from videos.redact import redact

log = logging.getLogger(__name__)
WHAT = "The prompt enhancer"
MAX_ANSWER_BYTES = 1024 * 1024  # a suggestion is a paragraph; a body near this is a server gone wrong
NOT_CONFIGURED = (
    "Prompt enhancement is not configured: set PROMPT_ENHANCER_URL (an OpenAI-compatible base URL, "
    "e.g. http://127.0.0.1:11434/v1) and PROMPT_ENHANCER_MODEL in app/.env, then restart the studio."
)
THINKING = re.compile(r"^\s*<think>.*?</think>", re.S)  # reasoning models' notes before the answer
LABEL = re.compile(r"^\s*(?:enhanced|improved|rewritten|final)?\s*prompt\s*:\s*", re.I)
QUOTES = "\"'“”‘’«»"
# A transport fault's code (upstream_faults.transport_error) as this API answers it.
TRANSPORT_CODES = {
    "upstream_timeout": ("enhancer_timeout", 504),
    "upstream_unreachable": ("enhancer_unreachable", 502),
}


class EnhancerError(InvalidRequest):
    """An enhancement that did not come back; `retry_after`: the seconds a busy upstream asked for."""

    def __init__(self, code: str, message: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(None, message, code, status)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Enhancement:
    text: str
    model: str  # the model that answered, as the server names it


def configured_model() -> str | None:
    """The model enhancements use; None while the enhancer is not configured."""
    if settings.PROMPT_ENHANCER_URL and settings.PROMPT_ENHANCER_MODEL:
        return str(settings.PROMPT_ENHANCER_MODEL)
    return None


def enhance(
    prompt: str, mode: Mode, *, max_chars: int, image_url: str | None = None, language: str | None = None
) -> Enhancement:
    """The suggested rewrite of `prompt` (at most `max_chars`, what a create takes); EnhancerError
    says why there is none. One try: a person is waiting, and says when to ask again."""
    model = configured_model()
    if model is None:
        raise EnhancerError("enhancer_not_configured", NOT_CONFIGURED, 503)
    try:
        text, answered_by = _ask(model, messages(prompt, mode, image_url, language))
        return Enhancement(_suggestion(text, max_chars), answered_by or model)
    except EnhancerError as exc:
        log.warning("Prompt enhancement failed (%s): %s", exc.code, exc.message)
        raise


def _ask(model: str, chat: list[dict[str, Any]]) -> tuple[str, str | None]:
    url = str(settings.PROMPT_ENHANCER_URL).rstrip("/") + "/chat/completions"
    headers = {"Accept": "application/json"}
    if settings.PROMPT_ENHANCER_API_KEY:
        headers["Authorization"] = f"Bearer {settings.PROMPT_ENHANCER_API_KEY}"
    # Only what every server takes: reasoning models refuse max_tokens and temperature.
    body = {"model": model, "messages": chat, "stream": False}
    timeout = float(settings.PROMPT_ENHANCER_TIMEOUT)
    try:
        with make_client(timeout) as client, client.stream("POST", url, json=body, headers=headers) as response:
            if response.status_code >= 400:
                raise _status_error(response)
            # The read timeout bounds each gap; the deadline bounds a server that trickles.
            raw, deadline = bytearray(), time.monotonic() + timeout
            for chunk in response.iter_bytes():
                raw += chunk
                if len(raw) > MAX_ANSWER_BYTES:
                    raise _bad_answer(f"sent more than {MAX_ANSWER_BYTES // 1024} KiB")
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("the answer did not end in time")
            streamed = response.headers.get("content-type", "").startswith("text/event-stream")
    except httpx.HTTPError as exc:
        fault = transport_error(exc, WHAT, timeout)
        code, status = TRANSPORT_CODES.get(fault.code, ("enhancer_error", 502))
        raise EnhancerError(code, f"{fault.message} Your prompt is unchanged.", status) from None
    return _joined_deltas(bytes(raw)) if streamed else _message(bytes(raw))


def _status_error(response: httpx.Response) -> EnhancerError:
    status, reason = response.status_code, short_reason(response)
    if status in (401, 403):
        return EnhancerError(
            "enhancer_auth",
            f"The prompt enhancer refused the API key (HTTP {status}: {reason}). Check PROMPT_ENHANCER_API_KEY.",
            502,
        )
    if status == 429:
        wait = retry_after(response.headers)
        when = f"in {max(1, round(wait))} seconds" if wait is not None and wait > 0 else "in a moment"
        message = f"The prompt enhancer is busy (HTTP 429: {reason}); try again {when}."
        return EnhancerError("enhancer_busy", message, 503, retry_after=wait)
    hint = " Check PROMPT_ENHANCER_URL and PROMPT_ENHANCER_MODEL." if status in (400, 404, 405, 422) else ""
    return EnhancerError("enhancer_error", f"The prompt enhancer failed (HTTP {status}: {reason}).{hint}", 502)


def _bad_answer(what: str) -> EnhancerError:
    return EnhancerError("enhancer_bad_answer", f"The prompt enhancer {what}; your prompt is unchanged.", 502)


def _message(raw: bytes) -> tuple[str, str | None]:
    """(text, model) of a chat.completion object."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise _bad_answer("did not answer with JSON (is PROMPT_ENHANCER_URL an OpenAI-compatible /v1 URL?)") from None
    choice = _first_choice(data)
    message = choice.get("message") if choice is not None else None
    if not isinstance(message, dict):
        raise _bad_answer("answered without a chat completion")
    return _text(message.get("content")), _model(data)


def _joined_deltas(raw: bytes) -> tuple[str, str | None]:
    """(text, model) of a streamed answer: the `delta.content` of every `data:` event joined."""
    parts: list[str] = []
    model = None
    for line in raw.decode("utf-8", errors="replace").splitlines():
        if not line.startswith("data:") or line[5:].strip() == "[DONE]":
            continue
        try:
            event = json.loads(line[5:])
        except (ValueError, RecursionError):
            raise _bad_answer("streamed an event that is not JSON") from None
        if isinstance(event, dict) and isinstance(event.get("error"), dict):
            message = redact(str(event["error"].get("message") or "error"))[:200]
            raise EnhancerError("enhancer_error", f"The prompt enhancer failed: {message}", 502)
        choice = _first_choice(event)
        delta = choice.get("delta") if choice is not None else None
        if isinstance(delta, dict):
            parts.append(_text(delta.get("content")))
        model = model or _model(event)
    return "".join(parts), model


def _first_choice(data: object) -> dict[str, Any] | None:
    choices = data.get("choices") if isinstance(data, dict) else None
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        return choices[0]
    return None


def _text(content: object) -> str:
    """A message's content: text, or (some servers) a list of text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def _model(data: object) -> str | None:
    model = data.get("model") if isinstance(data, dict) else None
    return model[:200] if isinstance(model, str) and model else None


def _suggestion(text: str, max_chars: int) -> str:
    """The rewrite alone: without a reasoning model's <think> notes, a label or wrapping quotes."""
    text = LABEL.sub("", THINKING.sub("", text), count=1).strip()
    if len(text) >= 2 and text[0] in QUOTES and text[-1] in QUOTES:
        text = text[1:-1].strip()
    if not text:
        raise _bad_answer("answered with no text")
    if len(text) > max_chars:
        raise _bad_answer(f"suggested {len(text)} characters, more than a prompt may have ({max_chars}); try again")
    return text
