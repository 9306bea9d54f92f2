"""The seed's synchronous endpoint, kept for compatibility with TT Studio's frontend.

`POST /models-api/video-generation-cloud/` with `{"prompt": "..."}` answers the MP4. It is a
thin wrapper over the jobs service: it creates a `tt-cloud` job (with the seed's defaults
negative_prompt="low quality", num_inference_steps=12, seed=0), waits up to
CLOUD_VIDEO_GENERATION_TIMEOUT (180 s) and streams the stored file. A job that outlives the
wait keeps running and shows up in the history, so the accelerator's work is not lost.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from videos.access.middleware import owner_of
from videos.api.body import json_object
from videos.errors import InvalidRequest
from videos.files.filenames import video_filename
from videos.files.serving import serve_stored_file
from videos.jobs.service import create_job, wait_for
from videos.models import VideoJob

PROVIDER = "tt-cloud"
# Job error code -> the HTTP status this endpoint answers with.
ERROR_STATUS = {"upstream_timeout": 504, "not_configured": 503, "cancelled": 409}


def _error(status: int, message: str, **extra: object) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _prompt(request: HttpRequest) -> object:
    if (request.content_type or "").startswith("application/json"):
        return json_object(request).get("prompt")
    try:
        return request.POST.get("prompt")
    except MultiPartParserError as exc:  # Django's own answer would be an HTML 400 page
        raise InvalidRequest(None, f"The form could not be read: {exc}", "invalid_form") from None


@method_decorator(csrf_exempt, name="dispatch")
class VideoGenerationInferenceCloudView(View):
    http_method_names = ("post", "options")  # a tuple: a class attribute nobody may mutate

    def post(self, request: HttpRequest) -> HttpResponseBase:
        if not settings.CLOUD_VIDEO_GENERATION_URL:
            return _error(
                503,
                "Cloud video generation is not configured: set CLOUD_VIDEO_GENERATION_URL "
                "(and CLOUD_VIDEO_GENERATION_AUTH_TOKEN) in app/.env and restart the studio.",
            )
        try:
            prompt = _prompt(request)
            if not isinstance(prompt, str) or not prompt.strip():
                return _error(400, 'A prompt is required: send {"prompt": "..."}.')
            job = create_job({"prompt": prompt, "model": PROVIDER}, owner=owner_of(request))
        except InvalidRequest as exc:
            return _error(exc.status, exc.message)
        job = wait_for(job.id, settings.CLOUD_VIDEO_GENERATION_TIMEOUT + 5)
        if job.status == VideoJob.Status.COMPLETED:
            return serve_stored_file(request, job.video_file, "video/mp4", download_name=video_filename(job.prompt))
        if not job.is_terminal:
            return _error(
                504,
                f"Video generation took longer than {settings.CLOUD_VIDEO_GENERATION_TIMEOUT:g} seconds. "
                "It is still running; it will appear in the Video Generation history when done.",
                video_id=job.id,
            )
        status = ERROR_STATUS.get(job.error_code, 502)
        return _error(status, job.error_message, code=job.error_code, video_id=job.id)
