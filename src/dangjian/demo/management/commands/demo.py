"""``dangjian demo``: build the demo enterprise (deterministic for a seed) into an empty database."""
from __future__ import annotations

import datetime as dt
import os

from django.core.management.base import BaseCommand, CommandError

from dangjian.core.errors import DomainError
from dangjian.demo.activity import add_activity
from dangjian.demo.builder import DEFAULT_SEED, DemoError, build_demo
from dangjian.demo.progress import BuildProgress


class Command(BaseCommand):
    help = ("Builds a realistic demo enterprise: group committee → subsidiaries → general branches → branches → "
            "party groups, enterprise units, committee terms and seats, and members (deterministic per seed).")

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=3000, help="number of members (default 3000)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
        size = parser.add_mutually_exclusive_group()
        size.add_argument("--orgs", type=int, default=None,
                          help="about this many organisations (default: 6%% of the members, as DESIGN 'Scale')")
        size.add_argument("--orgs-per-branch", type=float, default=None,
                          help="about this many organisations of all kinds per branch (default ≈ 1.55: "
                               "committees, general branches and party groups besides the branches)")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="the day the data is relative to (YYYY-MM-DD; default: today)")
        parser.add_argument("--batch-size", type=int, default=10_000)
        parser.add_argument("--strict", action="store_true",
                            help="check every member with members.services.validate_member (slow)")
        parser.add_argument("--no-activity", action="store_true",
                            help="skip the activity history and planted problems (meetings, dues, development, "
                                 "transfers) and the health scan after the build")

    def handle(self, *args, **opts):
        members = opts["members"]
        with BuildProgress(members=members, stream=self.stdout, enabled=self.stdout.isatty()) as progress:
            try:
                result = build_demo(members=members, seed=opts["seed"], today=opts["today"],
                                    target_orgs=opts["orgs"], orgs_per_branch=opts["orgs_per_branch"],
                                    batch_size=opts["batch_size"], strict=opts["strict"],
                                    progress=progress.update)
            except (DemoError, DomainError) as exc:
                raise CommandError(str(exc))
        by_type = ", ".join(f"{k} {v}" for k, v in result.counts.items())
        self.stdout.write(
            f"demo built (seed {result.seed}, today {result.today}): {result.members:,} members, "
            f"{result.orgs:,} organisations ({by_type}), {result.units:,} units, {result.terms:,} terms, "
            f"{result.seats:,} seats, {result.audit_entries} audit entries"
        )
        self.stdout.write(f"{result.seconds:.1f} s — {result.rate:,.0f} members/s "
                          f"({result.cpu_rate:,.0f} members per CPU-second of the building process"
                          f"{'es' if result.workers else ''}; "
                          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        self.stdout.write("  stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.stages.items()))
        if not opts["no_activity"]:
            try:
                activity = add_activity(seed=result.seed, today=result.today, members=result.members)
            except DomainError as exc:
                raise CommandError(str(exc))
            for line in activity.summary_lines():
                self.stdout.write(line)
