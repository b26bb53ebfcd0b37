"""``dangjian apitoken USERNAME``: issue an API token; printed once, as the last word."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dangjian.accounts.models import User
from dangjian.accounts.services import apitoken_create
from dangjian.core.scoping import SYSTEM


class Command(BaseCommand):
    help = "Create an API token for a user. The token is printed once, as the last word of the output."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, username, name, **opts):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"unknown user: {username}")
        _token, plaintext = apitoken_create(actor=SYSTEM, user=user, name=name)
        self.stdout.write(f"API token for {username} (store it now, it is not shown again): {plaintext}")
