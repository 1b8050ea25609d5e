"""Sample data for the site database: roles, users, infractions and nominations over the last 90 days.

Loaded by pydis-dash (``check.sample_data`` of ``datasources/site-db.yaml``) into the throwaway
PostgreSQL that ``validate --execute`` and ``preview`` run queries on. The rows keep the rules the
site's API enforces and the schema does not: notes are hidden, warnings and kicks are never active and
never expire, at most one active infraction of a type per user, a nomination's entries come from staff.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pydis_dash.sample import SampleContext

DISCORD_EPOCH_MS = 1_420_070_400_000
MEMBERS = 900
MODERATORS = 14
INFRACTIONS_PER_DAY = 9.0
NOMINATIONS_PER_WEEK = 3.0

ROLES = (
    (267627879762755584, "Owners", 0x00BCD4, 60),
    (267628507062992896, "Admins", 0xE91E63, 50),
    (831776746206265384, "Moderators", 0xF1C40F, 40),
    (267630620367257601, "Helpers", 0x2ECC71, 30),
    (409416496733880320, "Contributors", 0x55CC6C, 20),
    (458226413825294336, "Announcements", 0x000000, 10),
    (463658397560995840, "Voice Verified", 0x000000, 5),
)
# type -> (weight, duration in hours or None for permanent/one-off, hidden?)
INFRACTION_TYPES: Mapping[str, tuple[float, float | None, bool]] = {
    "note": (3.0, None, True),
    "warning": (2.5, None, False),
    "timeout": (4.0, 24.0, False),
    "kick": (0.6, None, False),
    "ban": (1.2, 24.0 * 30, False),
    "watch": (0.4, None, True),
    "superstar": (0.3, 1.0, False),
    "voice_mute": (0.8, 24.0 * 7, False),
}
ONE_OFF = frozenset({"note", "warning", "kick"})


def generate(ctx: SampleContext) -> Mapping[str, Sequence[Mapping[str, Any]]]:
    """Roles, users, infractions, nominations and their entries, parents before children."""
    now = ctx.now
    start = ctx.start
    users = _users(ctx, now)
    moderators = [u["id"] for u in users[:MODERATORS]]
    members = [u["id"] for u in users[MODERATORS:]]
    nominations, entries = _nominations(ctx, start, now, members, moderators)
    return {
        "api_role": [
            {"id": rid, "name": name, "colour": colour, "permissions": 0, "position": pos}
            for rid, name, colour, pos in ROLES
        ],
        "api_user": users,
        "api_infraction": _infractions(ctx, start, now, members, moderators),
        "api_nomination": nominations,
        "api_nominationentry": entries,
    }


def _snowflake(moment: datetime, sequence: int) -> int:
    millis = int(moment.timestamp() * 1000)
    return ((millis - DISCORD_EPOCH_MS) << 22) | (sequence & 0x3FFFFF)


def _users(ctx: SampleContext, now: datetime) -> list[dict[str, Any]]:
    rng = ctx.rng("users")
    users = []
    for index in range(MEMBERS):
        staff = index < MODERATORS
        roles = [ROLES[2][0], ROLES[3][0]] if staff else ([ROLES[4][0]] if rng.random() < 0.05 else [])
        name = f"member{index:05d}"
        users.append({
            "id": _snowflake(now - timedelta(days=rng.uniform(30, 2500)), index),
            "name": name,
            "discriminator": 0,
            "in_guild": staff or rng.random() < 0.85,
            "roles": roles,
            "display_name": name.title(),
        })  # fmt: skip
    return users


def _infractions(
    ctx: SampleContext, start: datetime, now: datetime, members: Sequence[int], moderators: Sequence[int]
) -> list[dict[str, Any]]:
    """Infractions with a weekly rhythm; a few repeat offenders collect most of them."""
    rng = ctx.rng("infractions")
    types = list(INFRACTION_TYPES)
    weights = [INFRACTION_TYPES[t][0] for t in types]
    offenders = list(members[: max(len(members) // 4, 1)])
    active_pairs: set[tuple[int, str]] = set()
    rows: list[dict[str, Any]] = []
    day = start
    while day < now:
        weekend = 1.3 if day.weekday() >= 5 else 1.0
        for _ in range(_poisson(rng, INFRACTIONS_PER_DAY * weekend)):
            inserted = day + timedelta(seconds=rng.uniform(0, 86400))
            if inserted >= now:
                continue
            kind = rng.choices(types, weights)[0]
            user = offenders[int(rng.random() ** 2 * len(offenders))]
            hours = INFRACTION_TYPES[kind][1]
            expires = None
            if hours is not None and kind not in ONE_OFF and rng.random() >= 0.2:
                expires = inserted + timedelta(hours=hours * rng.uniform(0.5, 2))
            running = kind not in ONE_OFF and (expires is None or expires > now) and rng.random() < 0.85
            active = running and (user, kind) not in active_pairs
            if active:
                active_pairs.add((user, kind))
            rows.append({
                "id": len(rows) + 1,
                "inserted_at": inserted,
                "expires_at": expires,
                "active": active,
                "type": kind,
                "reason": rng.choice(("spam", "off-topic advertising", "rule 5", "being rude", "")),
                "hidden": INFRACTION_TYPES[kind][2],
                "actor_id": rng.choice(moderators),
                "user_id": user,
                "dm_sent": not INFRACTION_TYPES[kind][2],
                "last_applied": inserted,
                "jump_url": None,
            })  # fmt: skip
        day += timedelta(days=1)
    return rows


def _nominations(
    ctx: SampleContext, start: datetime, now: datetime, members: Sequence[int], moderators: Sequence[int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Helper nominations: opened by a staff member, seconded by others, most reviewed and ended within weeks."""
    rng = ctx.rng("nominations")
    nominations: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    nominees = rng.sample(list(members), min(len(members), 200))
    week = start
    while week < now:
        for _ in range(_poisson(rng, NOMINATIONS_PER_WEEK)):
            opened = week + timedelta(seconds=rng.uniform(0, 7 * 86400))
            if opened >= now or not nominees:
                continue
            ended = opened + timedelta(days=rng.uniform(7, 35))
            open_still = ended >= now
            nomination_id = len(nominations) + 1
            nominations.append({
                "active": open_still,
                "user_id": nominees.pop(),
                "inserted_at": opened,
                "id": nomination_id,
                "end_reason": "" if open_still else rng.choice(("Helper", "Not yet", "Inactive")),
                "ended_at": None if open_still else ended,
                "reviewed": not open_still or rng.random() < 0.3,
                "thread_id": _snowflake(opened, nomination_id),
            })  # fmt: skip
            for actor in rng.sample(list(moderators), rng.randint(1, 4)):
                entries.append({
                    "id": len(entries) + 1,
                    "reason": "helpful in the help forum",
                    "inserted_at": opened + timedelta(hours=rng.uniform(0, 72)),
                    "actor_id": actor,
                    "nomination_id": nomination_id,
                })  # fmt: skip
        week += timedelta(days=7)
    return nominations, entries


def _poisson(rng: Any, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method; the means here are small)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
