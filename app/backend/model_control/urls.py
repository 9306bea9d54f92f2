from django.urls import path

from model_control import views

urlpatterns = [
    path("video-generation-cloud/", views.VideoGenerationInferenceCloudView.as_view()),
]
