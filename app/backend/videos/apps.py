from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class VideosConfig(AppConfig):
    name = "videos"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django's documented place for what needs the models loaded: the receivers of a job's
        # changes live in the layers above the model.
        from django.db import transaction

        from serving.replay import forget_all
        from videos.jobs.eta import queue_grew
        from videos.jobs.retention import delete_expired
        from videos.live.hub import hub
        from videos.models import VideoJob, job_ended, job_ending, jobs_changed
        from videos.queue.recovery import housekeeping
        from videos.storyboards.advance import on_housekeeping, on_jobs_ended
        from videos.webhooks.events import on_job_ending

        def changed(**kwargs: Any) -> None:
            forget_all()  # ETAs' run times, replayed status answers (serving/replay.py)
            transaction.on_commit(forget_all)  # a request may read the old row until the change commits
            hub.wake()

        def saved(instance: VideoJob, created: bool, **kwargs: Any) -> None:
            if created and instance.status == VideoJob.Status.QUEUED:
                # A new job changes no run time or running job: only its model's queue order is
                # read again (videos/jobs/eta.py), so a crowd creating jobs recounts nothing else.
                queue_grew(instance.provider)
                hub.wake()
                return
            jobs_changed.send(sender=VideoJob)

        def deleted(instance: VideoJob, **kwargs: Any) -> None:
            hub.deleted(instance.id, instance.owner)  # reported even for a finished job
            jobs_changed.send(sender=VideoJob)

        jobs_changed.connect(changed, weak=False, dispatch_uid="jobs-changed")
        housekeeping.connect(lambda **kwargs: delete_expired(), weak=False, dispatch_uid="retention")
        # A storyboard's next shot starts where its predecessor ended (a worker, or a cancelling request).
        job_ended.connect(on_jobs_ended, weak=False, dispatch_uid="storyboards-advance")
        housekeeping.connect(on_housekeeping, weak=False, dispatch_uid="storyboards-catch-up")
        # Webhook deliveries are written in the transaction that ends the job (videos/webhooks/events.py).
        job_ending.connect(on_job_ending, weak=False, dispatch_uid="webhooks-deliveries")
        post_save.connect(saved, sender=VideoJob, weak=False, dispatch_uid="live-status-save")
        post_delete.connect(deleted, sender=VideoJob, weak=False, dispatch_uid="live-status-delete")
