"""Test helper: the code an authenticator app would show for a TOTP device (no pyotp needed)."""
from __future__ import annotations

import time
from typing import Any

from django_otp.oath import TOTP

__all__ = ["totp_code"]


def totp_code(device: Any) -> str:
    """A code *device* accepts now. django-otp refuses replays (a code's time step must be newer than
    the device's ``last_t``), so when the current step was already used this returns the next step's
    code, which the device accepts within its tolerance; if even that is out of reach it waits."""
    device.refresh_from_db()
    while True:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        ahead = device.last_t + 1 - totp.t()
        if ahead <= device.tolerance:
            totp.drift += max(ahead, 0)
            return f"{totp.token():0{device.digits}d}"
        time.sleep(1)
