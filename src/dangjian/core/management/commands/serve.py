"""``dangjian serve``: the production HTTP server (gunicorn; static files served by WhiteNoise).

The access log (standard output unless ``--access-logfile`` or ``DANGJIAN_ACCESS_LOG`` names a file)
is written by :class:`dangjian.core.accesslog.MaskingGunicornLogger`: ID numbers and phones in request
lines are masked (issue 7 §5)."""
from __future__ import annotations

import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web application under gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("DANGJIAN_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("DANGJIAN_WEB_WORKERS", "3")))
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--access-logfile", default=os.environ.get("DANGJIAN_ACCESS_LOG", "-"),
                            help="access log file ('-': standard output)")

    def handle(self, *args, bind, workers, threads, access_logfile, **opts):
        from gunicorn.app.wsgiapp import WSGIApplication

        argv = ["gunicorn", "dangjian.wsgi:application", "--bind", bind, "--workers", str(workers),
                "--threads", str(threads), "--access-logfile", access_logfile, "--timeout", "120",
                "--logger-class", "dangjian.core.accesslog.MaskingGunicornLogger"]
        self.stdout.write(f"serving dangjian on http://{bind}/")
        import sys

        sys.argv = argv
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
