"""``dangjian serve``: the production HTTP server (gunicorn; static files served by WhiteNoise)."""
from __future__ import annotations

import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web application under gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("DANGJIAN_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("DANGJIAN_WEB_WORKERS", "3")))
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args, bind, workers, threads, **opts):
        from gunicorn.app.wsgiapp import WSGIApplication

        argv = ["gunicorn", "dangjian.wsgi:application", "--bind", bind, "--workers", str(workers),
                "--threads", str(threads), "--access-logfile", "-", "--timeout", "120"]
        self.stdout.write(f"serving dangjian on http://{bind}/")
        import sys

        sys.argv = argv
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
