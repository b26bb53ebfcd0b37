"""``dangjian serve``: the production HTTP server (gunicorn; static files served by WhiteNoise).

The access log (standard output unless ``--access-logfile`` or ``DANGJIAN_ACCESS_LOG`` names a file)
is written by :class:`dangjian.core.accesslog.MaskingGunicornLogger`: ID numbers and phones in request
lines are masked (issue 7 §5).

Once gunicorn has bound its sockets the server prints where it actually listens (``--bind :0`` or a port
other than 8000 included), then any ``--note`` lines, then the text of the ``--banner`` file, which it
deletes: ``make run`` hands it the demo logins that ``setup_demo --logins-file`` put aside, so they are
the last thing on the screen, after the worker has started, and shown once (issue 9 §10).
"""
from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

__all__ = ["Command", "announcement", "listener_url"]


def listener_url(sock: socket.socket) -> str:
    """The address a browser on this machine opens for a bound socket (all-interfaces → loopback)."""
    if sock.family == socket.AF_UNIX:
        return f"unix:{sock.getsockname()}"
    host, port = sock.getsockname()[:2]
    if sock.family == socket.AF_INET6:
        host = "::1" if host in ("::", "") else host
        return f"http://[{host}]:{port}/"
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/"


def _worker_state(pid: int | None) -> str | None:
    if pid is None:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return f"后台任务进程（worker，pid {pid}）已退出，请查看其日志（the worker has exited: see its log）"
    except PermissionError:
        pass
    return f"后台任务进程（worker，pid {pid}）运行中（the worker is running）"


def announcement(urls: list[str], *, notes: list[str], worker_pid: int | None, banner: Path | None) -> str:
    """What the server prints once it listens; reads and deletes *banner* (shown once)."""
    lines = [f"dangjian 已启动（serving）：{' '.join(urls)}"]
    state = _worker_state(worker_pid)
    if state:
        lines.append(state)
    lines.extend(notes)
    if banner is not None and banner.is_file():
        lines.append(banner.read_text(encoding="utf-8").rstrip("\n"))
        banner.unlink()
    lines.append(f"打开 {urls[0]} 登录；按 Ctrl-C 停止（Ctrl-C stops the server）。" if urls else "")
    return "\n".join(line for line in lines if line)


class Command(BaseCommand):
    help = "Run the web application under gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("DANGJIAN_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("DANGJIAN_WEB_WORKERS", "3")))
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--access-logfile", default=os.environ.get("DANGJIAN_ACCESS_LOG", "-"),
                            help="access log file ('-': standard output)")
        parser.add_argument("--log-level", default=os.environ.get("DANGJIAN_SERVE_LOG_LEVEL", "info"),
                            help="gunicorn's own log level (make run: warning)")
        parser.add_argument("--banner", type=Path, default=None,
                            help="a text file printed (then deleted) once the server listens")
        parser.add_argument("--note", action="append", default=[], help="a line printed once the server listens")
        parser.add_argument("--worker-pid", type=int, default=None,
                            help="the pid of a worker started beside the server: its state is printed too")

    def handle(self, *args, bind, workers, threads, access_logfile, log_level, banner, note, worker_pid, **opts):
        from gunicorn.app.wsgiapp import WSGIApplication

        argv = ["gunicorn", "dangjian.wsgi:application", "--bind", bind, "--workers", str(workers),
                "--threads", str(threads), "--access-logfile", access_logfile, "--timeout", "120",
                "--log-level", log_level, "--logger-class", "dangjian.core.accesslog.MaskingGunicornLogger"]

        def when_ready(server) -> None:  # gunicorn's hook: in the master, once the sockets are bound
            urls = [listener_url(listener.sock) for listener in server.LISTENERS]
            sys.stdout.write(announcement(urls, notes=note, worker_pid=worker_pid, banner=banner) + "\n")
            sys.stdout.flush()

        class Application(WSGIApplication):
            def load_config(self) -> None:
                super().load_config()
                self.cfg.set("when_ready", when_ready)

        sys.argv = argv
        Application("%(prog)s [OPTIONS] [APP_MODULE]").run()
