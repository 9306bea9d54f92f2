from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class VideosConfig(AppConfig):
    name = "videos"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from videos.jobs.eta import forget_shared
        from videos.live.hub import hub
        from videos.models import VideoJob

        def saved(**kwargs: Any) -> None:
            forget_shared()
            hub.wake()  # open streams hear of it now, not at the next poll

        def deleted(instance: VideoJob, **kwargs: Any) -> None:
            forget_shared()
            hub.deleted(instance.id, instance.owner)

        post_save.connect(saved, sender=VideoJob, weak=False, dispatch_uid="live-status-save")
        post_delete.connect(deleted, sender=VideoJob, weak=False, dispatch_uid="live-status-delete")
