from django.urls import include, path, re_path

from videos.api import api

from .frontend import api_not_found, health, spa_index

urlpatterns = [
    path("v1/", api.urls),
    re_path(r"^v1/(?P<path>.*)$", api_not_found),
    path("models-api/", include("model_control.urls")),
    path("healthz", health),
    re_path(r"^(?!v1/|models-api/|assets/|static/)(?P<path>.*)$", spa_index),
]
