"""Access logs keep no full ID number or phone (issue 7 §5): the masking itself, runserver's request
lines, and the real thing — ``dangjian serve`` (gunicorn) answering a search on a loopback port with
its access log in a file."""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dangjian.core.accesslog import mask_personal_numbers
from dangjian.core.masking import mask_id_number, mask_phone

ID = "110101199003070019"
PHONE = "13812345678"
SRC = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("text", "expected"), [
    (f"GET /members/?q={ID} HTTP/1.1", "GET /members/?q=1101**********0019 HTTP/1.1"),
    ("/m/?q=11010119900307001X&phone=13812345678", "/m/?q=1101**********001X&phone=138****5678"),
    ("/m/?q=110101900307001", "/m/?q=1101*******7001"),  # a 15-digit ID number
    ("/m/?q=" + "".join(f"%3{d}" for d in ID), "/m/?q=1101**********0019"),  # percent-encoded
    ("/m/?q=１１０１０１１９９００３０７００１９", "/m/?q=1101**********0019"),  # full-width
    ("/m/?q=%EF%BC%91%EF%BC%93%EF%BC%98%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98",
     "/m/?q=138****5678"),  # full-width, percent-encoded
    ("/m/?next=%2Fm%2F%3Fq%3D13812345678", "/m/?next=%2Fm%2F%3Fq%3D138****5678"),
    ("/orgs/123/?page=2&cursor=1234567890", "/orgs/123/?page=2&cursor=1234567890"),  # 10 digits stay
])
def test_mask_personal_numbers(text, expected):
    assert mask_personal_numbers(text) == expected


def test_runserver_request_lines_are_masked(caplog):
    # given: the line Django's development server logs for a request (django.core.servers.basehttp)
    caplog.set_level(logging.INFO, logger="django.server")
    # when
    logging.getLogger("django.server").info('"%s" %s %s', f"GET /members/?q={ID}&p={PHONE} HTTP/1.1", "200", "10")
    # then
    assert caplog.messages == [f'"GET /members/?q={mask_id_number(ID)}&p={mask_phone(PHONE)} HTTP/1.1" 200 10']


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_dangjian_serve_writes_no_full_id_number_to_its_access_log(tmp_path):
    # given: `dangjian serve` (gunicorn) on a free loopback port, access log in a file
    port, log = _free_port(), tmp_path / "access.log"
    env = {**os.environ, "PYTHONPATH": str(SRC), "DJANGO_SETTINGS_MODULE": "dangjian.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "SECRET_KEY": "x" * 50,
           "DANGJIAN_FIELD_KEY": "00112233445566778899aabbccddeeff",
           "DANGJIAN_BLIND_INDEX_KEY": "ffeeddccbbaa99887766554433221100", "DANGJIAN_HOME": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-c", "from dangjian.cli import main; main()", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--threads", "1", "--access-logfile", str(log)],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode(errors="replace")[-2000:]
                assert time.monotonic() < deadline, "dangjian serve did not start"
                time.sleep(0.2)
        # when: a member search by full ID number and by phone (the answer itself does not matter here)
        _get(f"http://127.0.0.1:{port}/members/?q={ID}")
        _get(f"http://127.0.0.1:{port}/members/?q={PHONE}&org=A1")
        deadline = time.monotonic() + 10
        while log.read_text().count("\n") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    # then: the log has both requests, masked
    text = log.read_text()
    assert f"GET /members/?q={mask_id_number(ID)} HTTP/1.1" in text
    assert f"GET /members/?q={mask_phone(PHONE)}&org=A1 HTTP/1.1" in text
    assert ID not in text and PHONE not in text
