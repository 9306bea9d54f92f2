from django.urls import include, path, re_path

from studio.frontend import api_not_found, health, robots_txt, spa_index
from videos.api import api
from videos.api.link_routes import serve_link
from videos.api.signin import me, sign_in, sign_out
from videos.metrics.views import metrics
from videos.serve import liveness
from videos.serve import views as media_server

urlpatterns = [
    # tt-media-server's video API (serve mode) comes before /v1/videos/{id}.
    path("v1/videos/generations", media_server.submit),
    path("v1/videos/generations/i2v", media_server.submit_i2v),
    path("v1/videos/generations/i2v/upload", media_server.submit_i2v_upload),
    path("v1/videos/generations/<str:job_id>", media_server.status),
    path("v1/videos/generations/<str:job_id>/download", media_server.download),
    path("v1/videos/generations/<str:job_id>/cancel", media_server.cancel),
    path("tt-liveness", liveness.liveness),
    path("health", liveness.health),
    path("v1/", api.urls),
    re_path(r"^v1/(?P<path>.*)$", api_not_found),
    path("models-api/", include("model_control.urls")),
    path("healthz", health),
    path("robots.txt", robots_txt),
    path("links/<str:variant>/<int:expires>/<str:signature>/<path:name>", serve_link),
    path("metrics", metrics),
    path("auth/me", me),
    path("auth/login", sign_in),
    path("auth/logout", sign_out),
    re_path(r"^(?!v1/|models-api/|assets/|static/|auth/|links/|metrics$)(?P<path>.*)$", spa_index),
]
