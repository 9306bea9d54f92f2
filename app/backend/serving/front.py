"""nginx in front of the studio (STUDIO_FRONT=nginx): it sends the videos' bytes.

runstudio then serves on a loopback port of its own and starts nginx on STUDIO_HOST:STUDIO_PORT
with the configuration below, written to STUDIO_DATA_DIR/nginx. Every request still goes to the
studio, which decides as always (who may see what); a file's answer names it under the internal
location `/_studio_media/` (X-Accel-Redirect, serving/sending.py) and nginx sends it with
sendfile and answers its Range requests itself. Python never touches the bytes: measured, the
one thing that brings whole downloads to nginx's speed (docs/performance.md).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from django.conf import settings

from serving import limits
from serving.sending import ACCEL_PREFIX
from videos import route_policy
from videos.access import links
from videos.errors import error_body
from videos.files.storage import FILE_MISSING_MESSAGE

log = logging.getLogger("studio")
# Debian's njs module (libnginx-mod-http-js): with it nginx checks signed links itself (links.js).
NJS_MODULE = Path("/usr/lib/nginx/modules/ngx_http_js_module.so")
LINKS_SCRIPT = Path(__file__).with_name("links.js")

# Long enough for what the studio itself lets run long: live streams and waiting endpoints.
_READ_TIMEOUT_SECONDS = 86400


def host_port(host: str, port: int) -> str:
    """host:port as addresses and URLs write it (an IPv6 address in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _json_error(message: str, status: int, code: str) -> str:
    return json.dumps(error_body(message, status=status, code=code)).replace("'", "\\'")


def _signed_links() -> str:
    """What links.js reads: the keys (hex: any bytes survive the config's quoting) and the refusals."""
    keys = " ".join(key.hex() for key in links.link_keys())
    invalid = _json_error(links.INVALID, 403, "link_invalid")
    expired = _json_error(links.EXPIRED, 410, "link_expired")
    return f"""    js_import links from {LINKS_SCRIPT};
    js_var $studio_link_keys '{keys}';
    js_var $studio_link_invalid '{invalid}';
    js_var $studio_link_expired '{expired}';"""


def _outer_proxies(trusted: list[str]) -> str:
    """Proxies in front of nginx (STUDIO_TRUSTED_PROXIES): nginx takes the client's address and
    scheme from their headers, as the studio would, and passes those on."""
    if not trusted:
        return "    map $scheme $studio_proto { default $scheme; }"
    lines = [f"    set_real_ip_from {net};" for net in trusted]
    lines += ["    real_ip_header X-Forwarded-For;", "    real_ip_recursive on;"]
    lines += ["    geo $realip_remote_addr $from_outer_proxy {", "        default 0;"]
    lines += [f"        {net} 1;" for net in trusted] + ["    }"]
    lines += ["    map $from_outer_proxy$http_x_forwarded_proto $studio_proto {", "        default $scheme;"]
    lines += ["        1https https;", "        1http http;", "    }"]
    return "\n".join(lines)


def nginx_config(
    host: str, port: int, upstream_port: int, media: Path, work: Path, trusted: list[str] | None = None
) -> str:
    """The front's whole configuration; documented in docs/performance.md."""
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "\n".join(f"    {name}_temp_path {work / name};" for name in kinds)
    user = "user root root;" if os.geteuid() == 0 else ""  # root's workers would run as nobody, who cannot read media
    header_timeout = max(1, int(settings.STUDIO_HEADER_TIMEOUT_SECONDS))
    write_timeout = max(1, int(settings.STUDIO_WRITE_TIMEOUT_SECONDS))
    body_limit = route_policy.largest_body()  # the studio applies each route's own limit
    over = f"The request body is over {body_limit // 1024**2} MB, this server's limit."
    too_large = _json_error(over, 413, "too_large")
    unavailable = _json_error("The studio is not answering; try again in a moment.", 503, "unavailable")
    file_missing = _json_error(FILE_MISSING_MESSAGE, 404, "file_missing")
    njs = NJS_MODULE.exists()
    return f"""# Written by runstudio (STUDIO_FRONT=nginx); rewritten at every start.
{f"load_module {NJS_MODULE};" if njs else "# no njs module: signed links go to the studio"}
worker_processes auto;
daemon off;
master_process on;
pid {work / "nginx.pid"};
error_log stderr error;
{user}
events {{ worker_connections {limits.default("NGINX_WORKER_CONNECTIONS")}; }}
http {{
    access_log off;
    server_tokens off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    keepalive_timeout {header_timeout}s;
    client_header_timeout {header_timeout}s;
    client_body_timeout {write_timeout}s;
    send_timeout {write_timeout}s;
    client_max_body_size {body_limit};
    types {{ video/mp4 mp4; image/jpeg jpg jpeg; image/png png; image/webp webp; }}
    default_type application/octet-stream;
{temp}
{_outer_proxies(trusted or [])}
{_signed_links() if njs else ""}
    upstream studio {{
        server 127.0.0.1:{upstream_port};
        keepalive 64;
    }}
    server {{
        listen {host_port(host, port)} backlog={limits.default("LISTEN_BACKLOG")};
        # The studio's answer names the file here; no client can ask for this location itself.
        location {ACCEL_PREFIX} {{
            internal;
            alias {media}/;
            add_header X-Content-Type-Options nosniff always;
            error_page 404 @file_missing;  # deleted between the studio's check and nginx's open
        }}
{"        location /links/ { js_content links.serve; }  # checked here, sent from the location above" if njs else ""}
        # nginx's own refusals in the studio's JSON shape, as API clients expect.
        error_page 413 @too_large;
        error_page 502 503 504 =503 @unavailable;
        location @too_large {{
            default_type application/json;
            return 413 '{too_large}';
        }}
        location @file_missing {{
            types {{ }}  # not the file's own type
            default_type application/json;
            return 404 '{file_missing}';
        }}
        location @unavailable {{
            default_type application/json;
            add_header Retry-After 5 always;
            return 503 '{unavailable}';
        }}
        location / {{
            proxy_pass http://studio;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            # Replaced, not appended to: the studio trusts these from nginx alone.
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $studio_proto;
            proxy_buffering off;  # live event streams go out as they are written
            # Bodies go to the studio as they arrive, which applies each route's limit on the
            # declared length and never reads a refused one; nothing is spooled to disk first.
            proxy_request_buffering off;
            proxy_read_timeout {_READ_TIMEOUT_SECONDS}s;
            proxy_send_timeout {write_timeout}s;
        }}
    }}
}}
"""


def free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class NginxFront:
    """nginx as a child process: started once the studio listens, stopped with it; if it dies,
    the studio stops too (SIGTERM to itself), so a supervisor sees one failed service."""

    def __init__(self, host: str, port: int, upstream_port: int, trusted: list[str] | None = None) -> None:
        self.trusted = trusted or []
        self.work = Path(settings.DATA_DIR) / "nginx"
        self.conf = self.work / "nginx.conf"
        self.host, self.port, self.upstream_port = host, port, upstream_port
        self.proc: subprocess.Popen[bytes] | None = None
        self.stopping = False

    def check(self) -> str | None:
        """Why nginx cannot run here, in words a person can act on; None when it can."""
        binary = settings.STUDIO_NGINX
        if not os.access(binary, os.X_OK):
            return (
                f"STUDIO_FRONT=nginx needs nginx at {binary} (STUDIO_NGINX): install it "
                "(`sudo apt-get install -y nginx`) or leave STUDIO_FRONT empty"
            )
        self._write()
        args = [binary, "-t", "-q", "-p", str(self.work), "-e", "stderr", "-c", str(self.conf)]
        tested = subprocess.run(args, capture_output=True, text=True)
        if tested.returncode != 0:
            return f"nginx refused its configuration ({self.conf}): {tested.stderr.strip()[-500:]}"
        return None

    def _write(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        media = Path(settings.MEDIA_ROOT).resolve()
        config = nginx_config(self.host, self.port, self.upstream_port, media, self.work, self.trusted)
        fd = os.open(self.conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the link keys
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(config)

    def start(self) -> None:
        args = [settings.STUDIO_NGINX, "-p", str(self.work), "-e", "stderr", "-c", str(self.conf)]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL)
        threading.Thread(target=self._watch, name="nginx-front", daemon=True).start()
        log.info("nginx in front on %s (pid %d)", host_port(self.host, self.port), self.proc.pid)

    def _watch(self) -> None:
        assert self.proc is not None
        code = self.proc.wait()
        if not self.stopping:
            log.error("nginx in front exited (%s); stopping the studio", code)
            os.kill(os.getpid(), signal.SIGTERM)

    def begin_stop(self) -> None:
        """Graceful: nginx stops accepting and finishes what it is sending (SIGQUIT)."""
        self.stopping = True
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)

    def stop(self, timeout: float = 10.0) -> None:
        """Waits for the graceful stop, then kills what is left."""
        self.begin_stop()
        if self.proc is None:
            return
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
