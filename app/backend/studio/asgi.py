"""The studio's ASGI application: Django behind the edge layer (studio/edge.py)."""

import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
django_application = get_asgi_application()

from studio.edge import Edge  # noqa: E402  (needs the configured settings)
from videos.files.sending import send_file  # noqa: E402
from videos.live.stream import run_stream  # noqa: E402

# WhiteNoise's file responses are sync iterators; Django reads such a (small, built) file in one
# go on a thread, which is what we want for the page's assets, so the warning is noise.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")

application = Edge(django_application, handoffs={"sendfile": send_file, "events": run_stream})
