"""Settings, all read from the environment (and app/.env, written by `python3 run.py`).

Every variable is listed with a comment in app/.env.default; `python3 run.py --help-env`
prints the same text.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from serving import limits
from videos.providers.fleet.config import parse_upstreams

BACKEND_DIR = Path(__file__).resolve().parent.parent
APP_DIR = BACKEND_DIR.parent
REPO_DIR = APP_DIR.parent

# The process environment wins over the file, so tests and scripted runs can override it.
load_dotenv(os.environ.get("STUDIO_ENV_FILE", APP_DIR / ".env"), override=False)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    return raw in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


def limit_int(name: str) -> int:
    """A server limit (serving/limits.py): its default and meaning live there."""
    return env_int(name, int(limits.default(name)))


def limit_float(name: str) -> float:
    return env_float(name, float(limits.default(name)))


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Run `python3 run.py` once (it writes a random key "
        "into app/.env) or export DJANGO_SECRET_KEY."
    )

STUDIO_HOST = env_str("STUDIO_HOST", "127.0.0.1")
STUDIO_PORT = env_int("STUDIO_PORT", 8000)
ALLOWED_HOSTS = [
    h.strip() for h in env_str("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h.strip()
]

DATA_DIR = Path(env_str("STUDIO_DATA_DIR") or APP_DIR / "data").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"  # never routed: content is served by the API with Range support
FRONTEND_DIST = Path(env_str("STUDIO_FRONTEND_DIST") or APP_DIR / "frontend" / "dist").resolve()

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "ninja",  # ships Swagger UI's files, so /v1/docs works with no internet
    "videos",
    "studio",  # its management command: runstudio (the server)
    "model_control",
]

MIDDLEWARE = [
    "videos.access.proxy.TrustedProxyMiddleware",  # first: all below see the client's scheme and address
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "videos.api.envelope.ApiEnvelopeMiddleware",  # JSON 405s under /v1; HEAD answered as GET
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "videos.access.middleware.AccessMiddleware",
    "videos.access.rate_limit.JobRateLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "studio.urls"
WSGI_APPLICATION = "studio.wsgi.application"
ASGI_APPLICATION = "studio.asgi.application"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]

_sqlite_path = DATA_DIR / "studio.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{_sqlite_path}",
        conn_max_age=600,  # a new connection per request was 40% of a status poll's cost
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE transactions: the worker thread writes progress while the API reads.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start about a missing one
# The built frontend: WhiteNoise serves /assets/... and index.html from it.
WHITENOISE_ROOT = FRONTEND_DIST if FRONTEND_DIST.is_dir() else None
WHITENOISE_USE_FINDERS = True  # app static files (Swagger UI) without a collectstatic step
# Vite names built assets name-<8 character hash>.ext: cache those a year, as immutable.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^/assets/.+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$"
WHITENOISE_AUTOREFRESH = DEBUG  # re-scanning files costs every request; run.py builds before serving

USE_TZ = True
TIME_ZONE = "UTC"

# --- Access (see studio/access.py) ------------------------------------------------------
STUDIO_API_KEYS = env_str("STUDIO_API_KEYS")
# Off on 127.0.0.1; runstudio turns it on when it binds any other address.
STUDIO_AUTH_REQUIRED = env_bool("STUDIO_AUTH_REQUIRED", False)
# Listen on a non-loopback address without sign-in: only for an address this machine alone can
# reach (a container whose port is published on 127.0.0.1, as app/docker-compose.yml does).
STUDIO_ALLOW_OPEN_BIND = env_bool("STUDIO_ALLOW_OPEN_BIND", False)
VIDEO_RATE_LIMIT_PER_MINUTE = env_int("VIDEO_RATE_LIMIT_PER_MINUTE", 30)
# Queue steering (videos/queue/order.py): round-robin between people, or first come.
VIDEO_QUEUE_FAIRNESS = env_str("VIDEO_QUEUE_FAIRNESS", "owners")
if VIDEO_QUEUE_FAIRNESS not in ("owners", "arrival"):
    raise ImproperlyConfigured(f"VIDEO_QUEUE_FAIRNESS must be owners or arrival, not {VIDEO_QUEUE_FAIRNESS!r}.")
# Who may pause the whole queue and move anyone's jobs when sign-in is on (names of logins or
# API-key users); Django superusers may too. On a personal studio (no sign-in) everyone may.
STUDIO_ADMINS = frozenset(name.strip() for name in env_str("STUDIO_ADMINS").split(",") if name.strip())
# Sign-in throttling (videos/access/throttle.py): failures before a user name is locked (an
# address gets four times as many; 0: off), the first lock, doubling per failure up to the last.
STUDIO_LOGIN_MAX_FAILURES = env_int("STUDIO_LOGIN_MAX_FAILURES", 5)
STUDIO_LOGIN_LOCKOUT_SECONDS = env_float("STUDIO_LOGIN_LOCKOUT_SECONDS", 30.0)
STUDIO_LOGIN_LOCKOUT_MAX_SECONDS = env_float("STUDIO_LOGIN_LOCKOUT_MAX_SECONDS", 900.0)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_FAILURE_VIEW = "videos.api.signin.csrf_failure"  # JSON, as every API answer
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("STUDIO_SECURE_COOKIES", False)
# Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-Proto and
# X-Forwarded-For are believed (videos/access/proxy.py); from any other address they are ignored.
# A proxy on this machine is believed unless told otherwise, as uvicorn and gunicorn do: "none" trusts none.
STUDIO_TRUSTED_PROXIES = env_str("STUDIO_TRUSTED_PROXIES") or "127.0.0.1,::1"
if STUDIO_TRUSTED_PROXIES.lower() == "none":
    STUDIO_TRUSTED_PROXIES = ""
# Signed links (videos/access/links.py): their key (empty: derived from DJANGO_SECRET_KEY), the
# previous one while a rotation's old links run out, and their lifetimes.
STUDIO_LINK_KEY = env_str("STUDIO_LINK_KEY")
STUDIO_LINK_PREVIOUS_KEY = env_str("STUDIO_LINK_PREVIOUS_KEY")
STUDIO_LINK_MAX_SECONDS = env_int("STUDIO_LINK_MAX_SECONDS", 7 * 86400)
STUDIO_LINK_DEFAULT_SECONDS = min(3600, STUDIO_LINK_MAX_SECONDS)
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env_str("STUDIO_TRUSTED_ORIGINS").split(",") if o.strip()]

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Upstreams -------------------------------------------------------------------------
CLOUD_VIDEO_GENERATION_URL = env_str("CLOUD_VIDEO_GENERATION_URL")
CLOUD_VIDEO_GENERATION_AUTH_TOKEN = env_str("CLOUD_VIDEO_GENERATION_AUTH_TOKEN")
CLOUD_VIDEO_GENERATION_TIMEOUT = env_float("CLOUD_VIDEO_GENERATION_TIMEOUT", 180.0)
CLOUD_VIDEO_GENERATION_JOB_TIMEOUT = env_float("CLOUD_VIDEO_GENERATION_JOB_TIMEOUT", 1800.0)
CLOUD_VIDEO_GENERATION_POLL_INTERVAL = env_float("CLOUD_VIDEO_GENERATION_POLL_INTERVAL", 2.0)
# Seconds a job waits (retrying every POLL_INTERVAL) for a model that is still warming up.
CLOUD_VIDEO_GENERATION_WARMUP_TIMEOUT = env_float("CLOUD_VIDEO_GENERATION_WARMUP_TIMEOUT", 1800.0)
# Videos each upstream makes at once: one number for all, or one each in the URLs' order ("1,2").
CLOUD_VIDEO_GENERATION_CONCURRENCY = env_str("CLOUD_VIDEO_GENERATION_CONCURRENCY", "1") or "1"
try:  # read as the provider reads them: a list it would refuse stops the start, not every request
    parse_upstreams(CLOUD_VIDEO_GENERATION_URL, CLOUD_VIDEO_GENERATION_AUTH_TOKEN, CLOUD_VIDEO_GENERATION_CONCURRENCY)
except ValueError as exc:  # its messages name the setting, never a token
    raise ImproperlyConfigured(str(exc)) from None
# Seconds between readings of each upstream's /tt-liveness (drained ones: on a backoff up to 3x this).
CLOUD_VIDEO_GENERATION_LIVENESS_INTERVAL = env_float("CLOUD_VIDEO_GENERATION_LIVENESS_INTERVAL", 10.0)
# Jobs sent ahead into a tt-media-server's own queue beyond its concurrency, so it starts the next
# one the moment the current one ends (0: never more than its concurrency).
CLOUD_VIDEO_GENERATION_QUEUE_AHEAD = env_int("CLOUD_VIDEO_GENERATION_QUEUE_AHEAD", 1)
# Seconds a job whose upstream stopped answering waits for it to come back before it is made
# again on another upstream that can make it (with one upstream: the runner's retries apply).
CLOUD_VIDEO_GENERATION_RESUME_WAIT = env_float("CLOUD_VIDEO_GENERATION_RESUME_WAIT", 60.0)
CLOUD_VIDEO_GENERATION_CA_BUNDLE = env_str("CLOUD_VIDEO_GENERATION_CA_BUNDLE")
CLOUD_VIDEO_GENERATION_MIN_STEPS = env_int("CLOUD_VIDEO_GENERATION_MIN_STEPS", 4)
CLOUD_VIDEO_GENERATION_MAX_STEPS = env_int("CLOUD_VIDEO_GENERATION_MAX_STEPS", 50)
# The upstream serves an image-to-video model at {URL}/i2v (tt-media-server does not advertise it).
CLOUD_VIDEO_GENERATION_IMAGE_TO_VIDEO = env_bool("CLOUD_VIDEO_GENERATION_IMAGE_TO_VIDEO", False)
# What the upstream makes: t2v (text only, {URL}), i2v (image only, {URL}/i2v: a prompt alone is
# refused), both. Empty: both when CLOUD_VIDEO_GENERATION_IMAGE_TO_VIDEO is true, else t2v.
CLOUD_VIDEO_GENERATION_MODES = env_str("CLOUD_VIDEO_GENERATION_MODES").lower() or (
    "both" if CLOUD_VIDEO_GENERATION_IMAGE_TO_VIDEO else "t2v"
)
if CLOUD_VIDEO_GENERATION_MODES not in ("t2v", "i2v", "both"):
    raise ImproperlyConfigured("CLOUD_VIDEO_GENERATION_MODES must be t2v, i2v or both.")
# The frame_pos a last-frame image goes to (tt-media-server's Wan 2.2 makes 81 frames: 0..80).
CLOUD_VIDEO_GENERATION_LAST_FRAME_POS = env_int("CLOUD_VIDEO_GENERATION_LAST_FRAME_POS", 80)
# Shape fields for upstreams that serve several shapes (tt-media-server's aspect_ratio and
# duration_seconds): the aspect ratios ("16:9,9:16,1:1") and lengths in seconds ("5,10") it takes.
# Empty: the field is never sent and the upstream decides (size / seconds are refused).
CLOUD_VIDEO_GENERATION_ASPECT_RATIOS = [
    r.strip() for r in env_str("CLOUD_VIDEO_GENERATION_ASPECT_RATIOS").split(",") if r.strip()
]
CLOUD_VIDEO_GENERATION_DURATIONS = [int(d) for d in env_str("CLOUD_VIDEO_GENERATION_DURATIONS").split(",") if d.strip()]

OPENAI_VIDEO_BASE_URL = env_str("OPENAI_VIDEO_BASE_URL")
OPENAI_VIDEO_API_KEY = env_str("OPENAI_VIDEO_API_KEY")
OPENAI_VIDEO_MODEL = env_str("OPENAI_VIDEO_MODEL", "sora-2")
OPENAI_VIDEO_TIMEOUT = env_float("OPENAI_VIDEO_TIMEOUT", 60.0)
OPENAI_VIDEO_JOB_TIMEOUT = env_float("OPENAI_VIDEO_JOB_TIMEOUT", 1800.0)
OPENAI_VIDEO_POLL_INTERVAL = env_float("OPENAI_VIDEO_POLL_INTERVAL", 2.0)
OPENAI_VIDEO_CONCURRENCY = env_int("OPENAI_VIDEO_CONCURRENCY", 1)
OPENAI_VIDEO_CA_BUNDLE = env_str("OPENAI_VIDEO_CA_BUNDLE")
OPENAI_VIDEO_EXTRA_FIELDS = env_bool("OPENAI_VIDEO_EXTRA_FIELDS", False)
# What the upstream model makes (OpenAI's published values by default): a job asking for
# anything else is refused before it is queued. The first of each is the default.
OPENAI_VIDEO_SIZES = env_str("OPENAI_VIDEO_SIZES", "720x1280,1280x720,1024x1792,1792x1024")
OPENAI_VIDEO_SECONDS = env_str("OPENAI_VIDEO_SECONDS", "4,8,12")

# --- Prompt enhancement (videos/prompts/): any OpenAI-compatible chat completions endpoint ------
# The base URL, as the openai client's base_url (requests go to {URL}/chat/completions); the
# enhancer is offered when it and the model are set. The key is a secret (videos/redact.py).
PROMPT_ENHANCER_URL = env_str("PROMPT_ENHANCER_URL")
PROMPT_ENHANCER_MODEL = env_str("PROMPT_ENHANCER_MODEL")
PROMPT_ENHANCER_API_KEY = env_str("PROMPT_ENHANCER_API_KEY")
PROMPT_ENHANCER_TIMEOUT = env_float("PROMPT_ENHANCER_TIMEOUT", 30.0)

# --- Signed webhooks (videos/webhooks/, docs/api.md "Webhooks") -------------------------------
# The admin's endpoint (it hears of every video); people add their own through /v1/webhooks.
# The secret is whsec_<base64> (a secret: videos/redact.py). Events: comma-separated, or all.
STUDIO_WEBHOOK_URL = env_str("STUDIO_WEBHOOK_URL")
STUDIO_WEBHOOK_SECRET = env_str("STUDIO_WEBHOOK_SECRET")
STUDIO_WEBHOOK_EVENTS = env_str("STUDIO_WEBHOOK_EVENTS")
# Loopback, private and link-local receivers are refused (at registration and at each send).
STUDIO_WEBHOOK_ALLOW_PRIVATE = env_bool("STUDIO_WEBHOOK_ALLOW_PRIVATE", False)
# For tests: multiplies every wait of the retry schedule (0.001: 5 min becomes 0.3 s).
STUDIO_WEBHOOK_RETRY_SCALE = env_float("STUDIO_WEBHOOK_RETRY_SCALE", 1.0)

# Content Credentials (C2PA, videos/files/credentials/): every finished MP4 is signed. The operator's
# PEM certificate chain (leaf first) and EC P-256 key; neither: a CA and leaf made once in DATA_DIR/c2pa/.
STUDIO_C2PA_CERT = env_str("STUDIO_C2PA_CERT")
STUDIO_C2PA_KEY = env_str("STUDIO_C2PA_KEY")
STUDIO_C2PA_TSA_URL = env_str("STUDIO_C2PA_TSA_URL")  # an RFC 3161 timestamp authority; empty: none
STUDIO_C2PA_OMIT_PROMPT = env_bool("STUDIO_C2PA_OMIT_PROMPT", False)  # leave prompts out of the manifest
# An invisible watermark in every finished video's frames (videos/files/watermark.py): a short id
# that POST /v1/videos/detect reads back after a re-encode. Costs a re-encode of each video.
VIDEO_WATERMARK = env_bool("VIDEO_WATERMARK", True)

LOCAL_WAN_MODEL_PATH = env_str("LOCAL_WAN_MODEL_PATH")
LOCAL_WAN_DEVICE = env_str("LOCAL_WAN_DEVICE", "auto")
LOCAL_WAN_DTYPE = env_str("LOCAL_WAN_DTYPE", "auto")
LOCAL_WAN_FPS = env_int("LOCAL_WAN_FPS", 16)

VIDEO_MAX_IMAGE_BYTES = limit_int("VIDEO_MAX_IMAGE_BYTES")
# The largest MP4 an extend or an edit may upload (a reference to one of the caller's own
# videos has no limit).
VIDEO_MAX_SOURCE_BYTES = limit_int("VIDEO_MAX_SOURCE_BYTES")
# Days a finished video is kept (its `expires_at`); 0 keeps videos until they are deleted.
VIDEO_RETENTION_DAYS = env_float("VIDEO_RETENTION_DAYS", 0.0)
VIDEO_PREVIEW_ENABLED = env_bool("VIDEO_PREVIEW_ENABLED", True)
VIDEO_PREVIEW_CONCURRENCY = env_int("VIDEO_PREVIEW_CONCURRENCY", 1)
# Tests only: a folder where preview jobs whose prompt says [gate:NAME] wait (providers/preview_gate.py).
VIDEO_PREVIEW_GATE_DIR = env_str("VIDEO_PREVIEW_GATE_DIR")
VIDEO_DEFAULT_PROVIDER = env_str("VIDEO_DEFAULT_PROVIDER")
VIDEO_MAX_UPSTREAM_BYTES = env_int("VIDEO_MAX_UPSTREAM_BYTES", 2 * 1024**3)
VIDEO_MAX_ATTEMPTS = env_int("VIDEO_MAX_ATTEMPTS", 3)
VIDEO_JOB_BACKEND = env_str("VIDEO_JOB_BACKEND", "inprocess")
# Free bytes the data folder must keep: a job does not start, and the API takes no new job,
# below it (a full disk otherwise fails the encode mid-job and the database's own writes).
VIDEO_MIN_FREE_BYTES = env_int("VIDEO_MIN_FREE_BYTES", 256 * 1024**2)
# On SIGTERM, seconds running jobs get to finish or be handed back before the studio exits.
STUDIO_STOP_TIMEOUT_SECONDS = env_float("STUDIO_STOP_TIMEOUT_SECONDS", 10.0)

# --- Serving limits (docs/hardening.md): what a flood of slow or idle clients can hold --------
# "nginx": runstudio puts Debian's nginx (STUDIO_NGINX) in front on STUDIO_HOST:STUDIO_PORT,
# serving the videos' bytes itself after the studio's access check (X-Accel-Redirect); "" serves
# everything from the studio's own process (docs/performance.md).
STUDIO_FRONT = env_str("STUDIO_FRONT", "")
STUDIO_NGINX = env_str("STUDIO_NGINX", "/usr/sbin/nginx")
# A client gets this long to send its request headers, and an idle keep-alive connection is
# closed after it.
STUDIO_HEADER_TIMEOUT_SECONDS = limit_float("STUDIO_HEADER_TIMEOUT_SECONDS")
# A response (a download, an event stream) whose client stops reading for this long is dropped.
STUDIO_WRITE_TIMEOUT_SECONDS = limit_float("STUDIO_WRITE_TIMEOUT_SECONDS")
# Requests Django works on at once; more wait their turn, and past the queue limit they get a
# JSON 503 at once (so a flood cannot starve /healthz, which never waits in this queue). Few:
# the work is Python holding one interpreter lock, and more threads only share it thinner.
STUDIO_MAX_CONCURRENT_REQUESTS = limit_int("STUDIO_MAX_CONCURRENT_REQUESTS")
STUDIO_MAX_QUEUED_REQUESTS = limit_int("STUDIO_MAX_QUEUED_REQUESTS")
# Live status streams (GET /v1/videos/events): in all, per signed-in user or client address,
# their longest life (the browser reconnects), and how often changes made by other processes
# (Celery workers) are looked for.
VIDEO_EVENTS_MAX_STREAMS = limit_int("VIDEO_EVENTS_MAX_STREAMS")
VIDEO_EVENTS_MAX_PER_CLIENT = limit_int("VIDEO_EVENTS_MAX_PER_CLIENT")
VIDEO_EVENTS_MAX_SECONDS = limit_float("VIDEO_EVENTS_MAX_SECONDS")
VIDEO_EVENTS_POLL_SECONDS = limit_float("VIDEO_EVENTS_POLL_SECONDS")
# Request bodies: two images' worth plus the form fields, or on the extend and edit routes a
# source clip (with a declared Content-Length); larger ones are refused unread.
STUDIO_MAX_REQUEST_BYTES = limits.request_bytes(VIDEO_MAX_IMAGE_BYTES)
STUDIO_MAX_CLIP_REQUEST_BYTES = limits.clip_request_bytes(VIDEO_MAX_IMAGE_BYTES, VIDEO_MAX_SOURCE_BYTES)

# /metrics (Prometheus): when set, a scrape needs `Authorization: Bearer <token>` (or a signed-in
# user / API key); unset, /metrics follows the API's rule (open unless sign-in is required).
STUDIO_METRICS_TOKEN = env_str("STUDIO_METRICS_TOKEN")

VIDEO_SERVE_ENABLED = env_bool("VIDEO_SERVE_ENABLED", False)
VIDEO_SERVE_PROVIDER = env_str("VIDEO_SERVE_PROVIDER")
VIDEO_SERVE_TOKEN = env_str("VIDEO_SERVE_TOKEN")
# tt-media-server's use_async_video: true, a POST answers 202 with a job to poll; false, it waits
# and answers 200 video/mp4 (Content-Disposition: attachment; filename=video_<id>.mp4, X-Generation-Time).
VIDEO_SERVE_ASYNC = env_bool("VIDEO_SERVE_ASYNC", True)
# With VIDEO_SERVE_ASYNC=false: how long a POST waits for its video before answering 504 (and cancelling it).
VIDEO_SERVE_SYNC_TIMEOUT = env_float("VIDEO_SERVE_SYNC_TIMEOUT", 1800.0)
# Serve mode's queue cap (tt-media-server's max_queue_size, answered on /tt-liveness): past this many
# jobs waiting for the served engine a POST answers 429 "Task queue is full".
VIDEO_SERVE_MAX_QUEUE_SIZE = env_int("VIDEO_SERVE_MAX_QUEUE_SIZE", 5000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "videos.redact.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env_str("STUDIO_LOG_LEVEL", "INFO")},
    "loggers": {
        # httpx logs request lines at INFO; URLs are fine but keep it quiet.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# --- Scale-out: Celery workers, PostgreSQL, S3 (docs/scale.md) ---------------------------------
# PostgreSQL needs nothing here: DATABASE_URL=postgres://... above (psycopg: requirements-scale.txt).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
# Queues are named <prefix>.<provider>; a distinct prefix lets several studios share one Redis.
CELERY_QUEUE_PREFIX = env_str("CELERY_QUEUE_PREFIX", "video")
# Seconds between a worker's recovery passes (dead workers' jobs, lost broker messages).
CELERY_RECOVERY_INTERVAL = env_float("CELERY_RECOVERY_INTERVAL", 15.0)
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
# Django's cache holds the sign-in throttle's counts: in Redis when jobs go through Celery, so
# every studio process sees the same counts; else in this (single) studio process's memory.
if VIDEO_JOB_BACKEND == "celery" and CELERY_BROKER_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CELERY_BROKER_URL,
            "KEY_PREFIX": CELERY_QUEUE_PREFIX,  # studios sharing one Redis keep their own counts
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

STUDIO_S3_BUCKET = env_str("STUDIO_S3_BUCKET")
STUDIO_S3_ENDPOINT_URL = env_str("STUDIO_S3_ENDPOINT_URL")
STUDIO_S3_REGION = env_str("STUDIO_S3_REGION")
STUDIO_S3_ADDRESSING_STYLE = env_str("STUDIO_S3_ADDRESSING_STYLE")
# true: /content answers 302 to a presigned URL (S3 serves Range); false: the studio streams it.
STUDIO_S3_PRESIGNED_REDIRECT = env_bool("STUDIO_S3_PRESIGNED_REDIRECT", True)
STUDIO_S3_URL_EXPIRY = env_int("STUDIO_S3_URL_EXPIRY", 3600)
if STUDIO_S3_BUCKET:
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": STUDIO_S3_BUCKET,
                "endpoint_url": STUDIO_S3_ENDPOINT_URL or None,
                "region_name": STUDIO_S3_REGION or None,
                "addressing_style": STUDIO_S3_ADDRESSING_STYLE or None,
                # Empty keys: boto3's own chain (environment, instance role) decides.
                "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
                "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
                "signature_version": "s3v4",
                "querystring_expire": STUDIO_S3_URL_EXPIRY,
                "file_overwrite": True,  # names are job ids; a rerun replaces its own file
                "default_acl": None,  # private bucket; reads go through presigned URLs
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
