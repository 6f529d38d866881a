"""gunicorn's configuration for caci (`make serve`), read from the environment.

GUNICORN_BIND        address to listen on                   0.0.0.0:8000 (PORT alone sets the port)
GUNICORN_WORKERS     processes                              2 × cores + 1
GUNICORN_THREADS     threads per process                    4
GUNICORN_TIMEOUT     seconds a request may run before its worker is restarted   60
GUNICORN_GRACEFUL_TIMEOUT  seconds to finish requests on a restart              30
GUNICORN_KEEPALIVE   seconds to hold an idle connection from the load balancer  5
GUNICORN_MAX_REQUESTS      requests after which a worker is replaced (0: never) 0
GUNICORN_CONTROL_SOCKET    path of gunicorn's control socket (gunicornc)   none

Every process is stateless: throttles, sessions and cached responses are in Redis
(REDIS_URL), the records in PostgreSQL, so app servers can be added behind a load balancer.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread"
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
# The longest request line gunicorn reads (its largest setting): a filtered list's address
# with many filters fits; a longer one is refused by gunicorn with a plain 400 before the
# app, whose own bounds (core/rest/limits.py) answer a problem document, sees it.
limit_request_line = 8190

wsgi_app = "caci.wsgi:application"
# The app logs one line per request itself (caci.request); gunicorn's own messages go to
# the same standard output.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# One control socket per user by default, which a second gunicorn on the machine would
# take over: off unless a path is given.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
# The proxy's X-Forwarded-* headers are read by Django (NUM_PROXIES, SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
