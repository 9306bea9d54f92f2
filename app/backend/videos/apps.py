from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class VideosConfig(AppConfig):
    name = "videos"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from videos.live.hub import hub
        from videos.models import VideoJob, jobs_changed

        def saved(instance: VideoJob, created: bool, **kwargs: Any) -> None:
            if created and instance.status == VideoJob.Status.QUEUED:
                # A new job waits behind every job counted so far: no shared estimate changes
                # (videos/jobs/eta.py), so a crowd creating jobs does not recount the queue each.
                hub.wake()
                return
            jobs_changed()

        def deleted(instance: VideoJob, **kwargs: Any) -> None:
            hub.deleted(instance.id, instance.owner)  # reported even for a finished job
            jobs_changed()

        post_save.connect(saved, sender=VideoJob, weak=False, dispatch_uid="live-status-save")
        post_delete.connect(deleted, sender=VideoJob, weak=False, dispatch_uid="live-status-delete")
