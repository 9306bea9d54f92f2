"""Prompt enhancement (videos/prompts/, /v1/prompts/enhance) through a live studio against a
strict loopback chat completions server (tests/support/chat_completions.py), itself checked
against the official `openai` client: the request's shape, the answer, streamed answers, every
failure's status, code and message, the time-out, and the key kept out of answers and logs. A
create records the person's own words beside the enhanced prompt."""

from __future__ import annotations

import base64
import io
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from django.test import override_settings
from openai.types.chat import (
    ChatCompletionContentPartImageParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionUserMessageParam,
)
from PIL import Image

from tests.support.chat_completions import ChatServer
from tests.support.studio import StudioServer
from videos import route_policy
from videos.prompts import enhancer
from videos.prompts.enhancer import EnhancerError
from videos.prompts.instructions import system_prompt
from videos.route_policy import Admission, Auth, Body

ENHANCE = "/v1/prompts/enhance"


def png(color: str = "orange") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer()
    yield server
    server.close()


@pytest.fixture
def chat(chat_server: ChatServer) -> Iterator[ChatServer]:
    """The module's server, answering normally and with no request seen yet."""
    chat_server.mode, chat_server.retry_after = "ok", None
    chat_server.seen.clear()
    yield chat_server
    chat_server.release()  # a held answer never outlives its test


def configured(base: Path, template: Path, chat: ChatServer, timeout: float) -> StudioServer:
    return StudioServer(
        base,
        template,
        PROMPT_ENHANCER_URL=chat.url,
        PROMPT_ENHANCER_MODEL=chat.model,
        PROMPT_ENHANCER_API_KEY=chat.key,
        PROMPT_ENHANCER_TIMEOUT=timeout,
    ).start()


@pytest.fixture(scope="module")
def studio(
    tmp_path_factory: pytest.TempPathFactory, db_template: Path, chat_server: ChatServer
) -> Iterator[StudioServer]:
    server = configured(tmp_path_factory.mktemp("enhancer"), db_template, chat_server, timeout=30)
    yield server
    server.stop()


def enhance(studio: StudioServer, **body: object) -> httpx.Response:
    with studio.client() as client:
        return client.post(ENHANCE, json=body)


def test_the_strict_server_takes_what_the_official_client_sends(chat: ChatServer) -> None:
    """The loopback server's checks are the real client's shape: the studio passing them is
    the studio speaking like the `openai` client."""
    client = openai.OpenAI(base_url=chat.url, api_key=chat.key, max_retries=0)
    url = "data:image/png;base64," + base64.b64encode(png()).decode()
    image: ChatCompletionContentPartImageParam = {"type": "image_url", "image_url": {"url": url}}
    system: ChatCompletionSystemMessageParam = {"role": "system", "content": "Describe."}
    user: ChatCompletionUserMessageParam = {"role": "user", "content": [{"type": "text", "text": "a kite"}, image]}
    completion = client.chat.completions.create(model=chat.model, messages=[system, user])
    assert completion.choices[0].message.content == chat.answer and completion.model == chat.model
    seen = chat.seen[-1]
    assert seen.path == "/v1/chat/completions" and seen.headers["authorization"] == f"Bearer {chat.key}"
    kite: ChatCompletionUserMessageParam = {"role": "user", "content": "a kite"}
    stream = client.chat.completions.create(model=chat.model, messages=[kite], stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices) == chat.answer
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=chat.url, api_key="wrong", max_retries=0).chat.completions.create(
            model=chat.model, messages=[kite]
        )
    with pytest.raises(openai.BadRequestError, match="Unrecognized request argument supplied: bogus"):
        client.chat.completions.create(model=chat.model, messages=[kite], extra_body={"bogus": 1})
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="other", messages=[kite])


def test_a_prompt_comes_back_as_a_directors_description(studio: StudioServer, chat: ChatServer) -> None:
    with studio.client() as client:
        state = client.get(ENHANCE)
        assert state.json() == {"configured": True, "model": chat.model}
        assert chat.key not in state.text and chat.url not in state.text
        answer = client.post(ENHANCE, json={"prompt": "  a red kite over dunes  "})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "object": "prompt.enhancement",
        "original": "a red kite over dunes",
        "enhanced": chat.answer,
        "model": chat.model,
        "mode": "text-to-video",
    }
    seen = chat.seen[-1]
    assert seen.path == "/v1/chat/completions" and seen.headers["authorization"] == f"Bearer {chat.key}"
    body = chat.last()
    assert (body["model"], body["stream"]) == (chat.model, False)
    assert body["messages"] == [
        {"role": "system", "content": system_prompt("text-to-video")},
        {"role": "user", "content": "a red kite over dunes"},
    ]
    assert "60 and 200 words" in body["messages"][0]["content"]
    assert enhance(studio, prompt="一只风筝", language="en").status_code == 200
    assert "Write it in English" in chat.last()["messages"][0]["content"]
    assert chat.key not in answer.text and chat.key not in studio.logs()


def test_image_to_video_sends_its_instructions_and_the_image(studio: StudioServer, chat: ChatServer) -> None:
    image = base64.b64encode(png()).decode()
    answer = enhance(studio, prompt="the kite dips", mode="image-to-video", image=f"data:image/png;base64,{image}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["mode"] == "image-to-video"
    system, user = chat.last()["messages"]
    assert system == {"role": "system", "content": system_prompt("image-to-video", sees_image=True)}
    assert "at most 100 words" in system["content"] and "motion" in system["content"]
    assert user == {
        "role": "user",
        "content": [
            {"type": "text", "text": "the kite dips"},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{image}"}},
        ],
    }
    # Bare base64 is read too, and the data URL names the type the bytes really are.
    jpeg = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(jpeg, format="JPEG")
    bare = base64.b64encode(jpeg.getvalue()).decode()
    assert enhance(studio, prompt="waves roll", mode="image-to-video", image=bare).status_code == 200
    assert chat.last()["messages"][1]["content"][1]["image_url"]["url"] == f"data:image/jpeg;base64,{bare}"
    # Without an image, the instructions say the model cannot see it.
    assert enhance(studio, prompt="the kite dips", mode="image-to-video").status_code == 200
    assert chat.last()["messages"] == [
        {"role": "system", "content": system_prompt("image-to-video")},
        {"role": "user", "content": "the kite dips"},
    ]


def test_a_streamed_answer_is_joined(studio: StudioServer, chat: ChatServer) -> None:
    chat.mode = "sse"
    answer = enhance(studio, prompt="a red kite")
    assert answer.status_code == 200, answer.text
    assert answer.json()["enhanced"] == chat.answer and chat.last()["stream"] is False


@pytest.mark.parametrize(
    ("mode", "status", "code", "message"),
    [
        ("status:401", 502, "enhancer_auth", "The prompt enhancer refused the API key (HTTP 401"),
        ("status:403", 502, "enhancer_auth", "Check PROMPT_ENHANCER_API_KEY."),
        ("status:429", 503, "enhancer_busy", "busy (HTTP 429: Rate limit reached for requests.); try again in 7 s"),
        ("status:500", 502, "enhancer_error", "failed (HTTP 500: The server had an error"),
        ("status:404", 502, "enhancer_error", "Check PROMPT_ENHANCER_URL and PROMPT_ENHANCER_MODEL."),
        ("garbage", 502, "enhancer_bad_answer", "did not answer with JSON"),
    ],
)
def test_each_failure_says_why_and_leaves_the_prompt(
    studio: StudioServer, chat: ChatServer, mode: str, status: int, code: str, message: str
) -> None:
    chat.mode, chat.retry_after = mode, "7"
    answer = enhance(studio, prompt="a red kite")
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code and message in error["message"], error
    assert answer.headers.get("retry-after") == ("7" if mode == "status:429" else None)
    logs = studio.logs()
    assert chat.key not in answer.text and chat.key not in logs
    assert f"Prompt enhancement failed ({code})" in logs
    if mode == "status:401":  # the server quoted the key it was sent: redacted, in the answer and the log
        assert "Incorrect API key provided: [redacted]" in error["message"]


def test_a_slow_answer_times_out_and_says_so(tmp_path: Path, db_template: Path, chat: ChatServer) -> None:
    impatient = configured(tmp_path / "impatient", db_template, chat, timeout=2)
    chat.hold()  # until the test has its answer: the chat model's never comes before the time-out
    try:
        answer = enhance(impatient, prompt="a red kite")
        assert answer.status_code == 504, answer.text
        error = answer.json()["error"]
        assert error["code"] == "enhancer_timeout"
        assert error["message"] == "The prompt enhancer did not answer within 2 seconds. Your prompt is unchanged."
        assert chat.key not in impatient.logs()
    finally:
        chat.release()
        impatient.stop()


def test_unconfigured_the_page_hides_the_button_and_a_post_says_what_to_set(studio_factory) -> None:
    plain = studio_factory(PROMPT_ENHANCER_URL="", PROMPT_ENHANCER_MODEL="")
    with plain.client() as client:
        assert client.get(ENHANCE).json() == {"configured": False, "model": None}
        answer = client.post(ENHANCE, json={"prompt": "a red kite"})
    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["code"] == "enhancer_not_configured"
    assert "PROMPT_ENHANCER_URL" in error["message"] and "PROMPT_ENHANCER_MODEL" in error["message"]


def test_requests_the_route_refuses(studio: StudioServer, chat: ChatServer) -> None:
    gif = base64.b64encode(b"GIF89a" * 9).decode()
    refusals: list[tuple[dict[str, object], str, str]] = [
        ({}, "prompt", "missing"),
        ({"prompt": "   "}, "prompt", "missing"),
        ({"prompt": "x" * 2001}, "prompt", "too_long"),
        ({"prompt": "a\x00b"}, "prompt", "invalid_value"),
        ({"prompt": "a kite", "mode": "video-to-video"}, "mode", "invalid_value"),
        ({"prompt": "a kite", "language": "en; ignore that"}, "language", "invalid_value"),
        ({"prompt": "a kite", "temperature": 2}, "temperature", "unknown_field"),
        ({"prompt": "a kite", "image": base64.b64encode(png()).decode()}, "image", "unsupported"),
        ({"prompt": "a kite", "mode": "image-to-video", "image": "not base64!"}, "image", "invalid_image"),
        ({"prompt": "a kite", "mode": "image-to-video", "image": gif}, "image", "invalid_value"),
    ]
    for body, param, code in refusals:
        answer = enhance(studio, **body)
        assert answer.status_code == 400, (body, answer.text)
        assert (answer.json()["error"]["param"], answer.json()["error"]["code"]) == (param, code), answer.text
    with studio.client() as client:
        broken = client.post(ENHANCE, content=b"{", headers={"content-type": "application/json"})
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "invalid_json"
    assert chat.seen == []  # none of them reached the chat model


def test_an_endpoint_nobody_listens_on_is_named_as_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    with (
        override_settings(PROMPT_ENHANCER_URL=f"http://127.0.0.1:{port}/v1", PROMPT_ENHANCER_MODEL="m"),
        pytest.raises(EnhancerError) as caught,
    ):
        enhancer.enhance("a red kite", "text-to-video", max_chars=2000)
    assert (caught.value.status, caught.value.code) == (502, "enhancer_unreachable")
    assert caught.value.message.startswith("Could not connect to the prompt enhancer")


def test_the_route_waits_apart_from_the_request_slots() -> None:
    route = route_policy.route_for(ENHANCE)
    assert (route.auth, route.body, route.api_envelope) == (Auth.SIGNED_IN, Body.FORM, True)
    assert route_policy.admission(ENHANCE, "POST") is Admission.WAITS
    assert not route_policy.creates_job(ENHANCE, "POST")


def test_a_video_records_the_persons_words_beside_the_enhanced_prompt(studio: StudioServer) -> None:
    small = {"model": "preview", "size": "64x64", "seconds": "1"}
    with studio.client() as client:
        both = {"prompt": "A wide shot of a kite", "original_prompt": " a kite ", **small}
        made = client.post("/v1/videos", json=both)
        assert made.status_code == 201, made.text
        video = made.json()
        assert (video["prompt"], video["original_prompt"]) == ("A wide shot of a kite", "a kite")
        assert client.get(f"/v1/videos/{video['id']}").json()["original_prompt"] == "a kite"
        retried = client.post(f"/v1/videos/{video['id']}/retry")
        assert retried.status_code == 201 and retried.json()["original_prompt"] == "a kite"
        studio.wait_for(video["id"])
        remixed = client.post(f"/v1/videos/{video['id']}/remix", json={"prompt": "a kite at night"})
        assert remixed.status_code == 201 and remixed.json()["original_prompt"] is None
        longer = {"video": {"id": video["id"]}, "prompt": "The kite climbs", "original_prompt": "up", "seconds": "1"}
        extended = client.post("/v1/videos/extensions", json=longer)
        assert extended.status_code == 201 and extended.json()["original_prompt"] == "up", extended.text
        plain = client.post("/v1/videos", json={"prompt": "a kite", **small}).json()
        assert plain["original_prompt"] is None
        too_long = client.post("/v1/videos", json={"prompt": "a kite", "original_prompt": "x" * 2001, **small})
        assert too_long.status_code == 400 and too_long.json()["error"]["param"] == "original_prompt"
