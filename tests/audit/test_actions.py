"""Every action the code records is in the one list the viewer describes and filters by."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from audit.actions import ACTIONS, GROUPS, actions_in, description

BASE = Path(settings.BASE_DIR)
APPS = ["accounts", "audit", "authoring", "cohorts", "courses", "exercises", "progress",
        "monitoring", "backups", "masterclass"]  # fmt: skip


def recorded_actions() -> set[str]:
    found: set[str] = set()
    for app in APPS:
        for path in (BASE / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            source = path.read_text()
            # audit.record(..., action="...") anywhere, and the receivers' own names.
            for call in re.finditer(r"audit\.record\((.*?)\)\s*(?:#[^\n]*)?$", source, re.S | re.M):
                found.update(re.findall(r'action="([^"]+)"', call.group(1)))
            if path.name == "receivers.py" and app == "audit":
                found.update(re.findall(r'"((?:account|mfa|role)\.[a-z_]+)"', source))
            # The authoring workspace's record(workspace=..., action="verb") adds its prefix.
            if app == "authoring":
                for verb in re.findall(r'record\([^)]*?action="([a-z-]+)"', source, re.S):
                    found.add(f"authoring.{verb}")
                found.update(
                    f"authoring.{verb}" for verb in re.findall(r'action="([a-z-]+)",\n', source)
                )
    return found


def test_every_recorded_action_is_listed_and_described() -> None:
    recorded = recorded_actions()
    assert {"account.signed_in", "role.granted", "marking.viewed_answer"} <= recorded
    assert {"authoring.publish", "authoring.dataset-upload", "exported_cohort_progress"} <= recorded
    assert recorded - set(ACTIONS) == set()


def test_every_action_is_in_a_group_and_every_group_has_actions() -> None:
    assert {action.group for action in ACTIONS.values()} == set(GROUPS)
    assert all(actions_in(group) for group in GROUPS)


def test_an_unknown_action_is_shown_by_its_name() -> None:
    assert description("something.new") == "something.new"
    assert description("mfa.added") == "Set up a two-factor authentication method"
