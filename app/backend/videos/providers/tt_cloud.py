"""The tt-cloud provider: Tenstorrent's Wan 2.2 cloud endpoint and tt-media-servers, one or
several used as one (docs/model-interface.md).

Each URL in `CLOUD_VIDEO_GENERATION_URL` is an upstream (`tt-1`, `tt-2`, ...; `fleet/`). The
provider reads each one's `/tt-liveness` at start and every `liveness_interval` seconds
(`tt_liveness.py`) and takes its shape from the runner it names (`tt_runners.py`); an upstream
that does not answer it gets the configured shape (`CLOUD_VIDEO_GENERATION_MODES`,
`_ASPECT_RATIOS`, `_DURATIONS`, `_MIN_STEPS`/`_MAX_STEPS`). What the provider offers is what at
least one upstream makes; each job goes to one that can make it, the least loaded first.

A job's upstream id is remembered as `@tt-2/<id>` (with one upstream the bare id, as before),
so a restarted studio resumes it on the same upstream. With other upstreams able to take the
job: a submit refused at the connection or by a warming model goes to another one; a job whose
upstream stops answering waits `resume_wait` seconds for it to come back, then is made again
elsewhere (the old job is cancelled there once it is back, so it never runs twice at once); a
job its upstream forgot (404 after a restart) is made again. With one upstream all of that is
as before: the fault fails the attempt and the runner's retries apply.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from pathlib import Path

from videos import metrics
from videos.providers.base import GenerationRequest, JobContext, Provider, ProviderError, ProviderStatus
from videos.providers.fleet.config import parse_upstreams
from videos.providers.fleet.fleet import Fleet, Lease
from videos.providers.fleet.member import DOWN, WARMING, Member
from videos.providers.fleet.routing import union
from videos.providers.tt_liveness import Liveness, read_liveness
from videos.providers.tt_runners import RunnerProfile, configured_profile
from videos.providers.tt_upstream import TTUpstream
from videos.providers.upstream_faults import TransportFault
from videos.providers.upstream_http import make_client

log = logging.getLogger(__name__)
MODES = ("t2v", "i2v", "both")
LABEL = "Wan 2.2 (Tenstorrent cloud / tt-media-server)"
REMEMBERED = re.compile(r"@(tt-\d+)/(.+)")
LIVENESS_TIMEOUT = 3.0  # seconds for one /tt-liveness or /health answer (at most the request timeout)


class TTCloudProvider(Provider):
    name = "tt-cloud"
    label = LABEL
    runs_on = "tenstorrent"
    typical_time = "2–3 minutes"
    keeps_upstream_jobs = True

    def __init__(
        self,
        url: str,
        token: str = "",
        *,
        timeout: float = 180.0,
        steps_range: tuple[int, int] = (4, 50),
        image_to_video: bool = False,
        modes: str = "",
        last_frame_pos: int = 80,
        aspect_ratios: list[str] | tuple[str, ...] = (),
        durations: list[int] | tuple[int, ...] = (),
        concurrency: int | str = 1,
        liveness_interval: float = 10.0,
        workers_sized: bool = False,
        queue_ahead: int = 1,
        resume_wait: float = 60.0,
        discover: bool = False,
        **options: object,
    ) -> None:
        modes = modes or ("both" if image_to_video else "t2v")
        if modes not in MODES:
            raise ValueError(f"modes must be one of {', '.join(MODES)}; got {modes!r}")
        self._shape = {
            "modes": modes,
            "aspect_ratios": tuple(aspect_ratios),
            "durations": tuple(durations),
            "steps_range": steps_range,
        }
        self.timeout = timeout
        self.resume_wait = resume_wait
        self.queue_ahead = max(0, queue_ahead)
        specs = parse_upstreams(url, token, concurrency)
        self.url_problem = next((spec.name for spec in specs if not spec.url.startswith(("http://", "https://"))), None)
        members = [Member(spec, self.configured(None)) for spec in specs]
        self.upstream_clients = {
            m.name: TTUpstream(
                m.spec.url,
                m.spec.token,
                (lambda m=m: m.profile),  # type: ignore[misc]
                timeout=timeout,
                last_frame_pos=last_frame_pos,
                **options,
            )
            for m in members
        }
        self.fleet = Fleet(
            members,
            self._read,
            self.configured,
            interval=liveness_interval,
            queue_ahead=queue_ahead,
            workers_sized=workers_sized,
        )
        self.fleet.on_change(self._refresh)
        self.fleet.on_orphan(self._cancel_orphan)
        self._refresh()
        if discover and members and self.url_problem is None:
            self.fleet.start()

    def __repr__(self) -> str:  # no URL, no token
        return f"TTCloudProvider(upstreams={[m.name for m in self.fleet.members]})"

    def configured(self, runner: str | None) -> RunnerProfile:
        return configured_profile(runner=runner, **self._shape)  # type: ignore[arg-type]

    def _read(self, member: Member) -> Liveness:
        upstream = self.upstream_clients[member.name]
        limit = min(LIVENESS_TIMEOUT, self.timeout)
        with make_client(limit, upstream.ca_bundle) as client:
            return read_liveness(client, member.spec.url, upstream.token, limit)

    def _refresh(self) -> None:
        """What the provider offers, from its upstreams' profiles (discovery may change them)."""
        profiles = self.fleet.profiles()
        self.capabilities = union(profiles)
        discovered = [m for m in self.fleet.members if m.discovered]
        if len(profiles) == 1 and discovered:
            self.label = f"{profiles[0].label} (tt-media-server)"
        elif len(profiles) > 1:
            names = dict.fromkeys(p.label for p in profiles)
            self.label = f"Tenstorrent, {len(profiles)} upstreams: {', '.join(names)}"[:160]
        else:
            self.label = LABEL

    # --- Provider -----------------------------------------------------------------------------

    @property
    def concurrency(self) -> int:
        """Jobs at once: every upstream's concurrency, plus the jobs sent ahead into a
        tt-media-server's own queue (`has_room` holds the workers to the upstreams' free slots)."""
        return max(1, sum(self._threads_for(m) for m in self.fleet.members))

    def _threads_for(self, member: Member) -> int:
        """A tt-media-server's slots and one more, for a video downloading while the next job
        already runs there; another upstream's concurrency, as before."""
        if member.discovered or member.checked_at is None:
            return member.spec.concurrency + self.queue_ahead + 1
        return member.spec.concurrency

    def has_room(self) -> bool:
        return self.fleet.has_room()

    def upstreams(self) -> list[dict[str, object]]:
        return self.fleet.views()

    def status(self) -> ProviderStatus:
        if not self.fleet.members:
            return ProviderStatus(False, "CLOUD_VIDEO_GENERATION_URL is not set")
        if self.url_problem is not None:
            return ProviderStatus(False, "CLOUD_VIDEO_GENERATION_URL must start with http:// or https://")
        if len(self.fleet.members) == 1:
            member = self.fleet.members[0]
            state = self.upstream_clients[member.name].status()
            if member.state == DOWN:
                return ProviderStatus(True, f"down: {member.detail}")
            if member.state == WARMING and not state.detail.startswith("warming"):
                return ProviderStatus(True, member.detail)
            return state
        parts = [f"{m.name} {m.state.replace('_', ' ')}" for m in self.fleet.members]
        return ProviderStatus(True, ", ".join(parts))

    def generate(self, request: GenerationRequest, dest: Path, ctx: JobContext) -> None:
        state = self.status()
        if not state.ready:
            raise ProviderError("not_configured", f"The cloud video provider is not configured: {state.detail}.")
        self.fleet.start()
        resume = self._remembered(ctx.upstream_id)
        while True:
            if resume is None:
                done, resume = self._fresh(request, dest, ctx)
            else:
                member, job_id = resume
                with self.fleet.hold(member) as lease:
                    done, resume = self._follow(lease, job_id, dest, ctx)
            if done:
                break
        ctx.report(100)

    # --- one job ------------------------------------------------------------------------------

    def _remembered(self, upstream_id: str | None) -> tuple[Member, str] | None:
        if not upstream_id:
            return None
        found = REMEMBERED.fullmatch(upstream_id)
        if found is None:  # a single upstream's (or one remembered before the fleet): the first's
            return self.fleet.members[0], upstream_id
        member = self.fleet.by_name(found.group(1))
        if member is None:
            log.warning(
                "tt-cloud: upstream %s of a resumed job is no longer configured; making it again", found.group(1)
            )
            return None
        return member, found.group(2)

    def _others(self, request: GenerationRequest | None, member: Member) -> bool:
        return len(self.fleet.members) > 1 and (
            request is None or any(m is not member for m in self.fleet.able(request))
        )

    def _fresh(self, request: GenerationRequest, dest: Path, ctx: JobContext) -> tuple[bool, tuple[Member, str] | None]:
        lease = self.fleet.acquire(request, ctx)
        member = lease.member
        upstream = self.upstream_clients[member.name]
        moved: list[ProviderError] = []

        def elsewhere(exc: ProviderError) -> bool:
            """Drain an upstream that refused the connection or is warming up; move on when
            another one can take the job now."""
            if exc.warming_up:
                self.fleet.mark(member, WARMING, "warming up: the model is loading")
            elif isinstance(exc, TransportFault) and exc.unsent:  # the request never left: safe to move
                self.fleet.mark(member, DOWN, f"not answering ({exc.code})")
            else:
                return False
            if self.fleet.elsewhere(request, member):
                moved.append(exc)
                return True
            return False

        with lease:
            with make_client(upstream.timeout, upstream.ca_bundle) as client:
                metrics.time_requests(client, self.name)
                try:
                    job_id = upstream._submit_when_ready(client, request, dest, ctx, elsewhere)
                except ProviderError:
                    if moved:
                        log.info("tt-cloud: a job goes elsewhere: %s is %s", member.name, member.state)
                        return False, None
                    raise
                self.fleet.serving(member)  # it took the job: whatever a reading said, it serves
                if job_id is None:  # answered synchronously: the MP4 is already in dest
                    return True, None
                several = len(self.fleet.members) > 1  # one upstream: the bare id, as always
                ctx.remember_upstream_id(f"@{member.name}/{job_id}" if several else job_id)
            return self._follow(lease, job_id, dest, ctx, request)

    def _follow(
        self, lease: Lease, job_id: str, dest: Path, ctx: JobContext, request: GenerationRequest | None = None
    ) -> tuple[bool, tuple[Member, str] | None]:
        """Wait for the job on its upstream and download it. (done, where to resume) when the
        upstream lost it or stopped answering and another one can take over."""
        member = lease.member
        upstream = self.upstream_clients[member.name]

        def made() -> None:
            upstream.finished(job_id, completed=True)
            lease.generated()  # the accelerator is free of it: the next job may be sent while this downloads

        try:
            with make_client(upstream.timeout, upstream.ca_bundle) as client:
                metrics.time_requests(client, self.name)
                upstream.follow(client, job_id, dest, ctx, made=made)
            return True, None
        except ProviderError as exc:
            upstream.finished(job_id, completed=False)
            if not self._others(request, member):
                raise
            if exc.code == "upstream_job_lost":  # its server restarted and forgot the job
                ctx.report(None, f"Upstream {member.name} no longer knows the job; making it again.")
                return False, None
            if not isinstance(exc, TransportFault):  # it answered: its answer stands
                raise
        self.fleet.mark(member, DOWN, "stopped answering")
        lease.release()  # a drained upstream's load does not count
        ctx.report(None, f"Upstream {member.name} stopped answering; waiting up to {self.resume_wait:g} s for it.")
        if self.fleet.wait_back(member, ctx, time.monotonic() + self.resume_wait):
            ctx.report(None, "")
            return False, (member, job_id)
        self.fleet.orphan(member, job_id)
        ctx.report(None, f"Upstream {member.name} did not come back; making the video elsewhere.")
        return False, None

    def _cancel_orphan(self, member: Member, job_id: str) -> None:
        upstream = self.upstream_clients[member.name]

        def cancel() -> None:
            with make_client(upstream.timeout, upstream.ca_bundle) as client:
                if not upstream.stop(client, job_id):
                    log.warning("tt-cloud: could not stop job %s on %s after it came back", job_id, member.name)

        threading.Thread(target=cancel, daemon=True, name="tt-cloud-orphan").start()
