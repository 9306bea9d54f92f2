"""`manage.py generate "prompt"` (also `python3 run.py generate`): make one video from the shell;
with `--from prompts.txt`, one per non-empty line (videos/management/prompt_file.py).

With --server (default: the studio at STUDIO_HOST:STUDIO_PORT) it submits to a running
studio and follows the job; with --in-process it runs the provider right here, without a
server or database. Exits non-zero with a clear message on failure.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from videos.errors import InvalidRequest
from videos.files.filenames import video_filename
from videos.files.media import InvalidVideo, probe
from videos.jobs.checks import validate
from videos.jobs.request import parse_create
from videos.management import storyboard_file, sweep_file
from videos.management.following import create_and_follow
from videos.management.prompt_file import follow_all, numbered_outputs, queue_all, read_prompts
from videos.providers.base import JobCancelled, NullContext, ProviderError
from videos.providers.registry import get_provider
from videos.runner.run import request_for


class ProgressBar:
    def __init__(self, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.stream, self.width = stream, width

    def show(self, progress: float, status: str, extra: str = "") -> None:
        filled = int(self.width * max(0.0, min(progress, 100.0)) / 100)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {progress:5.1f}% {status:<12} {extra:<24}")
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\n")


class Command(BaseCommand):
    help = "Generate one video from a prompt and save it as an MP4."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prompt", nargs="?")
        parser.add_argument("--from", dest="from_file", help="a text file: one video per non-empty line")
        parser.add_argument("--storyboard", help="a storyboard's JSON file: its shots made and joined into one MP4")
        parser.add_argument("--sweep", help="a sweep's JSON file (base and axes): its cells made, the grid MP4 saved")
        parser.add_argument("--out", help="output file (default: named after the prompt); with --from, numbered")
        parser.add_argument("--out-dir", help="with --from: the folder for the numbered MP4s")
        parser.add_argument("--provider", "--model", dest="provider", help="tt-cloud, openai, local or preview")
        parser.add_argument("--steps", type=int)
        parser.add_argument("--seed", type=int)
        parser.add_argument("--negative-prompt")
        parser.add_argument("--size", help="WxH, e.g. 832x480")
        parser.add_argument("--frames", type=int)
        parser.add_argument("--server", help="studio URL (default http://STUDIO_HOST:STUDIO_PORT)")
        parser.add_argument("--in-process", action="store_true", help="run the model here, without a server")
        parser.add_argument("--timeout", type=float, default=3600.0)

    def handle(self, *args: object, **opts: object) -> None:
        if opts["sweep"]:
            self._sweep(opts)
            return
        if opts["storyboard"]:
            self._storyboard(opts)
            return
        fields = {
            "model": opts["provider"],
            "num_inference_steps": opts["steps"],
            "seed": opts["seed"],
            "negative_prompt": opts["negative_prompt"],
            "size": opts["size"],
            "num_frames": opts["frames"],
        }
        fields = {k: v for k, v in fields.items() if v is not None}
        server = str(opts["server"] or f"http://{settings.STUDIO_HOST}:{settings.STUDIO_PORT}").rstrip("/")
        if opts["from_file"]:
            if opts["prompt"]:
                raise CommandError("Give a prompt or --from FILE, not both.")
            self._batch(Path(str(opts["from_file"])), fields, server, opts)
            return
        if not opts["prompt"]:
            raise CommandError('Give a prompt (generate "A red fox in snow") or --from FILE.')
        fields["prompt"] = opts["prompt"]
        out = Path(str(opts["out"] or video_filename(str(opts["prompt"]))))
        if opts["in_process"]:
            self._in_process(fields, out)
        else:
            self._remote(server, fields, out, float(opts["timeout"]))  # type: ignore[arg-type]
        self.stdout.write(f"saved {out} ({out.stat().st_size} bytes)")

    def _batch(self, path: Path, fields: dict, server: str, opts: dict[str, object]) -> None:
        """One video per line of `path`, every line checked first; each saved as a numbered MP4."""
        numbered = read_prompts(path, fields)
        lines, prompts = [n for n, _ in numbered], [p for _, p in numbered]
        given, folder = (str(opts[name]) if opts[name] else None for name in ("out", "out_dir"))
        outs = numbered_outputs(prompts, given, folder)
        if opts["in_process"]:
            for prompt, out in zip(prompts, outs, strict=True):
                self._in_process({**fields, "prompt": prompt}, out)
                self.stdout.write(f"saved {out} ({out.stat().st_size} bytes)")
            return
        bar = ProgressBar()
        try:
            with httpx.Client(base_url=server, timeout=60) as client:
                videos = queue_all(client, [{**fields, "prompt": p} for p in prompts], lines, bar.show)
                videos = follow_all(client, videos, lines, bar.show, float(opts["timeout"]))  # type: ignore[arg-type]
                bar.done()
                failures = []
                for line, video, out in zip(lines, videos, outs, strict=True):
                    if video["status"] != "completed":
                        error = (video.get("error") or {}).get("message", "no reason given")
                        failures.append(f"Line {line}: the video {video['status']}: {error}")
                        continue
                    self._download(client, video, out)
                    self.stdout.write(f"saved {out} ({out.stat().st_size} bytes)")
        except httpx.ConnectError:
            raise CommandError(_no_studio(server)) from None
        except httpx.HTTPError as exc:
            raise CommandError(f"Talking to the studio at {server} failed: {exc}") from None
        if any(video.get("preview") for video in videos):
            self.stderr.write("note: made by the preview engine (preview, not AI)")
        if failures:
            raise CommandError("\n".join(failures))

    @staticmethod
    def _download(client: httpx.Client, video: dict, out: Path) -> None:
        with client.stream("GET", video["content_url"]) as content, open(out, "wb") as fh:
            for chunk in content.iter_bytes():
                fh.write(chunk)

    def _sweep(self, opts: dict[str, object]) -> None:
        """--sweep: videos/management/sweep_file.py (through a studio: the grid is rendered there)."""
        if opts["in_process"]:
            raise CommandError("--sweep runs through a studio (its grid is rendered there); leave out --in-process.")
        path = Path(str(opts["sweep"]))
        sweep, out = sweep_file.read_sweep(path), sweep_file.output_for(path, opts["out"])
        server = str(opts["server"] or f"http://{settings.STUDIO_HOST}:{settings.STUDIO_PORT}").rstrip("/")
        bar = ProgressBar()
        try:
            made = sweep_file.make_remote(server, sweep, out, bar.show, float(opts["timeout"]))  # type: ignore[arg-type]
        finally:
            bar.done()
        self.stderr.write(made)
        self.stdout.write(f"saved {out} ({out.stat().st_size} bytes)")

    def _storyboard(self, opts: dict[str, object]) -> None:
        """--storyboard: videos/management/storyboard_file.py."""
        path = Path(str(opts["storyboard"]))
        board, out = storyboard_file.read_board(path, opts), storyboard_file.output_for(path, opts["out"])
        server = str(opts["server"] or f"http://{settings.STUDIO_HOST}:{settings.STUDIO_PORT}").rstrip("/")
        bar = ProgressBar()
        try:
            if opts["in_process"]:
                made = storyboard_file.make_here(board, out, bar.show)
            else:
                timeout = float(opts["timeout"])  # type: ignore[arg-type]
                made = storyboard_file.make_remote(server, board, out, bar.show, timeout)
        finally:
            bar.done()
        self.stderr.write(made)
        self.stdout.write(f"saved {out} ({out.stat().st_size} bytes)")

    def _remote(self, server: str, fields: dict, out: Path, timeout: float) -> None:
        bar = ProgressBar()
        try:
            with httpx.Client(base_url=server, timeout=60) as client:
                try:
                    video = create_and_follow(
                        client,
                        "/v1/videos",
                        fields,
                        lambda video: bar.show(video["progress"], video["status"], _waiting(video)),
                        timeout,
                        "Gave up after {timeout} s; the job {id} keeps running in the studio.",
                    )
                finally:
                    bar.done()
                if video["status"] != "completed":
                    error = video.get("error") or {}
                    raise CommandError(f"The video {video['status']}: {error.get('message', 'no reason given')}")
                self._download(client, video, out)
                if video.get("preview"):
                    self.stderr.write("note: made by the preview engine (preview, not AI)")
        except httpx.ConnectError:
            raise CommandError(_no_studio(server)) from None
        except httpx.HTTPError as exc:
            raise CommandError(f"Talking to the studio at {server} failed: {exc}") from None

    def _in_process(self, fields: dict, out: Path) -> None:
        try:
            spec, _ = validate(parse_create(fields))  # resolves the provider and checks it is ready
        except InvalidRequest as exc:
            raise CommandError(exc.message) from None
        bar = ProgressBar()

        class Context(NullContext):
            def report(self, progress: float | None = None, message: str | None = None) -> None:
                if progress is not None:
                    bar.show(progress, "in_progress")

        request = request_for(spec.new_job())
        tmp = out.with_suffix(out.suffix + ".part")
        try:
            get_provider(spec.provider).generate(request, tmp, Context())
            probe(tmp)
            tmp.replace(out)
        except (ProviderError, InvalidVideo, JobCancelled) as exc:
            raise CommandError(getattr(exc, "message", None) or f"The video is not playable: {exc}") from None
        finally:
            tmp.unlink(missing_ok=True)
            bar.done()


def _waiting(video: dict) -> str:
    """Where a running or queued video stands, for the progress bar."""
    if video.get("eta_seconds"):
        return f"eta {video['eta_seconds']:.0f}s"
    return f"position {video['queue_position']}" if video.get("queue_position") is not None else ""


def _no_studio(server: str) -> str:
    return f"No studio answers at {server}. Start it with `python3 run.py`, pass --server, or use --in-process."
