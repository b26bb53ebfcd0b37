"""The `dangjian` console script: Django's management entry point with dangjian's settings.

``dangjian init-env`` runs before Django is configured: it writes ``var/dangjian.env`` with freshly
generated secrets (SECRET_KEY, field-encryption and blind-index keys) unless the file exists, so a
local install keeps the same keys across restarts. Production sets these in the environment instead.
"""
import os
import secrets
import sys
from pathlib import Path

__all__ = ["main"]


def init_env(home: Path) -> Path:
    path = home / "var" / "dangjian.env"
    if path.exists():
        print(f"{path} exists; keeping its keys")  # noqa: T201
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Written by `dangjian init-env` for a local install. Keep it secret; back it up with the database:",
        "# without DANGJIAN_FIELD_KEY the encrypted ID numbers and phones cannot be read.",
        f"SECRET_KEY={secrets.token_urlsafe(50)}",
        f"DANGJIAN_FIELD_KEY={secrets.token_hex(16)}",
        f"DANGJIAN_BLIND_INDEX_KEY={secrets.token_hex(32)}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    print(f"wrote {path}")  # noqa: T201
    return path


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "init-env":
        init_env(Path(os.environ.get("DANGJIAN_HOME", Path.cwd())).resolve())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], *sys.argv[1:]])


if __name__ == "__main__":  # `python -m dangjian.cli …` (a checkout without the console script installed)
    main()
