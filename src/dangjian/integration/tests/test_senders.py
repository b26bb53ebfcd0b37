"""The channels' wire formats against local HTTP servers: exact payloads, DingTalk's signature
computed independently here, and the failures a delivery records."""
from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

import pytest

from dangjian.integration.senders import (
    MAX_MARKDOWN_BYTES,
    Message,
    SendError,
    dingtalk_payload,
    dingtalk_signed_url,
    markdown_text,
    mask_url,
    post_json,
    robot_send,
    wecom_payload,
)

MESSAGE = Message(title="甲一支部届满提醒", body="本届委员会将于 2025-03-01 届满。", severity="warning",
                  org_name="甲一支部", url="https://dj.example.com/orgs/5/")
TEXT = ("**【警告】甲一支部届满提醒**\n\n本届委员会将于 2025-03-01 届满。\n\n> 组织：甲一支部\n\n"
        "[查看详情](https://dj.example.com/orgs/5/)")


def _expected_sign(secret: str, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), digestmod=hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def test_markdown_text_has_severity_title_body_org_and_link():
    assert markdown_text(MESSAGE) == TEXT


def test_markdown_text_without_org_and_link():
    message = Message(title="提示", body="", severity="info")
    assert markdown_text(message) == "**【提示】提示**"


def test_markdown_text_is_cut_to_the_robot_limit_in_utf8_bytes():
    message = Message(title="长", body="党" * 3000, severity="info")
    text = markdown_text(message)
    assert len(text.encode("utf-8")) <= MAX_MARKDOWN_BYTES
    assert text.endswith("…")


def test_wecom_and_dingtalk_payload_shapes():
    assert wecom_payload(MESSAGE) == {"msgtype": "markdown", "markdown": {"content": TEXT}}
    assert dingtalk_payload(MESSAGE) == {"msgtype": "markdown", "markdown": {"title": "甲一支部届满提醒", "text": TEXT}}


def test_dingtalk_signed_url_appends_timestamp_and_url_encoded_sign():
    # given
    secret, ts = "SECabc+/=123", 1700000000123
    # when
    url = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=t0k", secret, ts)
    # then
    sign = _expected_sign(secret, ts)
    assert url == ("https://oapi.dingtalk.com/robot/send?access_token=t0k"
                   f"&timestamp={ts}&sign={urllib.parse.quote_plus(sign)}")


def test_mask_url_drops_the_key():
    assert mask_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc") == \
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…"
    assert mask_url("http://user:pw@127.0.0.1:8080/x") == "http://127.0.0.1/x"


def test_wecom_robot_receives_the_exact_payload(robot_server):
    # given
    robot = robot_server()
    # when
    result = robot_send("wecom", url=robot.url(), secret="", message=MESSAGE, now_ms=1)
    # then
    assert result.http_status == 200
    [request] = robot.requests
    assert (request.path, request.raw_query) == ("/cgi-bin/webhook/send", "key=robot-key-123")
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.json == {"msgtype": "markdown", "markdown": {"content": TEXT}}


def test_dingtalk_robot_receives_the_payload_and_a_signature_it_can_verify(robot_server):
    # given
    robot = robot_server()
    secret, ts = "SEC0123456789abcdef", 1716960000000
    # when
    robot_send("dingtalk", url=robot.url("/robot/send", "access_token=tok"), secret=secret, message=MESSAGE,
               now_ms=ts)
    # then
    [request] = robot.requests
    assert request.json == {"msgtype": "markdown", "markdown": {"title": "甲一支部届满提醒", "text": TEXT}}
    assert request.query == {"access_token": ["tok"], "timestamp": [str(ts)], "sign": [_expected_sign(secret, ts)]}
    assert request.raw_query.endswith("&sign=" + urllib.parse.quote_plus(_expected_sign(secret, ts)))


def test_dingtalk_without_secret_is_sent_unsigned(robot_server):
    robot = robot_server()
    robot_send("dingtalk", url=robot.url("/robot/send", "access_token=tok"), secret="", message=MESSAGE, now_ms=5)
    assert robot.requests[0].query == {"access_token": ["tok"]}


@pytest.mark.parametrize(
    ("_case", "status", "answer", "reason", "http_status"),
    [
        ("server_error", 500, {"oops": True}, "HTTP 500 Internal Server Error", 500),
        ("robot_refuses", 200, {"errcode": 310000, "errmsg": "sign not match"}, "errcode 310000: sign not match", 200),
        ("wecom_bad_key", 200, {"errcode": 93000, "errmsg": "invalid webhook url"},
         "errcode 93000: invalid webhook url", 200),
    ],
)
def test_robot_failures_raise_with_the_reason(robot_server, _case, status, answer, reason, http_status):
    # given
    robot = robot_server()
    robot.status, robot.answer = status, answer
    # when
    with pytest.raises(SendError) as caught:
        robot_send("wecom", url=robot.url(), secret="", message=MESSAGE, now_ms=1)
    # then
    assert (caught.value.reason, caught.value.http_status) == (reason, http_status)


def test_connection_refused_is_a_send_error(closed_url):
    with pytest.raises(SendError, match=r"^connection failed: .*refused"):
        post_json(closed_url, {"x": 1}, timeout=2)


def test_redirects_are_not_followed(robot_server):
    # given: a robot that answers with a redirect to somewhere else
    robot = robot_server()
    robot.status = 302
    # when / then
    with pytest.raises(SendError, match="HTTP 302"):
        post_json(robot.url(), {"x": 1}, timeout=2)
