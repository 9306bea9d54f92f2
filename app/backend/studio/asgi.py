"""The studio's ASGI application: Django (on a thread pool) behind the edge layer (serving/edge.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
django_application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (configured by the line above)

from serving import limits  # noqa: E402
from serving.bridge import WSGIBridge  # noqa: E402
from serving.edge import Edge  # noqa: E402
from serving.replay import FileGrants, SharedAnswers  # noqa: E402
from serving.sending import send_by_front, send_file  # noqa: E402
from videos.live.stream import run_stream  # noqa: E402

application = Edge(
    # Two threads over the request slots: /healthz, which takes no slot, always finds one.
    WSGIBridge(django_application, threads=settings.STUDIO_MAX_CONCURRENT_REQUESTS + 2),
    handoffs={"sendfile": send_by_front if settings.STUDIO_FRONT == "nginx" else send_file, "events": run_stream},
    # The seed's endpoint waits for its video in its thread (docs/api.md); its own pool.
    waiting_app=WSGIBridge(django_application, threads=int(limits.default("WAITING_THREADS"))),
    grants=FileGrants(whole_files=settings.STUDIO_FRONT == "nginx"),
    # Only where every job changes in this process (serving/replay.py).
    shared=SharedAnswers() if settings.VIDEO_JOB_BACKEND == "inprocess" else None,
)
