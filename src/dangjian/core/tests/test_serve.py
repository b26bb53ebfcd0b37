"""``dangjian serve`` tells where it really listens, then the notes and the banner file (the demo logins of
``make run``), last and once (issue 9 §10)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from dangjian.core.management.commands.serve import announcement

SRC = Path(__file__).resolve().parents[3]


def test_announcement_prints_the_banner_once_and_deletes_it(tmp_path):
    # given: the logins setup_demo put aside, and a worker that has already exited
    banner = tmp_path / "demo-logins.txt"
    banner.write_text("│ admin │ s3cret │\n", encoding="utf-8")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    # when
    text = announcement(["http://127.0.0.1:8123/"], notes=["日志：var/worker.log"], worker_pid=gone.pid, banner=banner)
    again = announcement(["http://127.0.0.1:8123/"], notes=[], worker_pid=None, banner=banner)
    # then: the URL bound first, the worker's state and the notes, the logins, the way in last
    lines = text.splitlines()
    assert lines[0] == "dangjian 已启动（serving）：http://127.0.0.1:8123/"
    assert "已退出" in lines[1] and lines[2] == "日志：var/worker.log" and lines[3] == "│ admin │ s3cret │"
    assert lines[-1].startswith("打开 http://127.0.0.1:8123/ 登录")
    assert not banner.exists() and "s3cret" not in again


def test_serve_announces_the_port_it_really_bound_after_binding(tmp_path):
    # given: `dangjian serve` on any free port (":0"), a banner file and a note
    banner = tmp_path / "banner.txt"
    banner.write_text("演示账号表\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(SRC), "DJANGO_SETTINGS_MODULE": "dangjian.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "SECRET_KEY": "x" * 50,
           "DANGJIAN_FIELD_KEY": "00112233445566778899aabbccddeeff",
           "DANGJIAN_BLIND_INDEX_KEY": "ffeeddccbbaa99887766554433221100", "DANGJIAN_HOME": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-c", "from dangjian.cli import main; main()", "serve", "--bind", "127.0.0.1:0",
         "--workers", "1", "--threads", "1", "--log-level", "warning", "--access-logfile", str(tmp_path / "a.log"),
         "--worker-pid", str(os.getpid()), "--note", "worker 日志：var/worker.log", "--banner", str(banner)],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while not (lines and lines[-1].startswith("打开 ")):
            assert time.monotonic() < deadline and server.poll() is None, "dangjian serve did not announce itself"
            lines.append(server.stdout.readline().rstrip("\n"))
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", lines[0])
        # when: the announced address is asked
        assert url and url.group(1) != "0"
        with urllib.request.urlopen(f"{url.group(0)}healthz", timeout=10) as response:
            status = response.status
    finally:
        server.terminate()
        server.wait(timeout=30)
    # then: it answers there; the worker's state, the note and the banner came with it, the banner once
    assert status == 200
    assert "运行中" in lines[1] and "worker 日志：var/worker.log" in lines and "演示账号表" in lines
    assert not banner.exists()
