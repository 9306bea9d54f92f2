from django.urls import path

from . import views

urlpatterns = [
    path("video-generation-cloud/", views.VideoGenerationInferenceCloudView.as_view()),
]
