"""Sample data for Metricity: a small Python Discord over the last 90 days.

Loaded by pydis-dash (``check.sample_data`` of ``datasources/metricity.yaml``) into the throwaway
PostgreSQL that ``validate --execute`` and ``preview`` run queries on. Shapes follow the real server:
members join a few dozen a day (more at the weekend), messages follow the day (quiet at 04:00 UTC,
busy in the European/American evening) and the week, help posts are forum threads opened by the asker,
answered by others and closed by the bot. Channel and category ids are the real ones the dashboards'
variables default to, so every panel has data with the variables as saved.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pydis_dash.sample import SampleContext

DISCORD_EPOCH_MS = 1_420_070_400_000
MEMBERS_BEFORE = 700  # members who joined before the 90 days
JOINS_PER_DAY = 14
MESSAGES_PER_DAY = 420
HELP_THREADS_PER_DAY = 7

# (category id, name, staff?) then its channels: (id, name, weight of the message traffic).
CATEGORIES: Sequence[tuple[str, str, bool, Sequence[tuple[str, str, float]]]] = (
    (
        "352364785931272204",
        "Python Discussion",
        False,
        (
            ("267624335836053506", "python-general", 10.0),
            ("470884583684964352", "async-and-concurrency", 1.2),
            ("342318764227821568", "data-science-and-ai", 2.0),
            ("366673247892275221", "web-development", 1.8),
            ("463035462760792066", "esoteric-python", 0.8),
        ),
    ),
    ("1035199133436354600", "Python Help System", False, (("1035199133436354603", "python-help", 6.0),)),
    (
        "463035241142026251",
        "Topical Chat",
        False,
        (
            ("291284109232308226", "off-topic", 5.0),
            ("463035268514185226", "game-development", 0.9),
            ("545603026732318730", "microcontrollers", 0.5),
        ),
    ),
    (
        "356013061213126657",
        "Events",
        False,
        (
            ("542272993192050698", "event-general", 1.0),
            ("897932607545823342", "advent-of-code", 0.7),
        ),
    ),
    (
        "360958225227710464",
        "Staff",
        True,
        (
            ("365960823622991872", "admins", 0.6),
            ("328380847424389121", "mod-alerts", 0.8),
            ("267659945086812160", "helpers", 1.0),
        ),
    ),
)
BOT_NAMES = ("Python", "Sir Lancebot", "Sir Robin", "Metricity", "Zuul")


def generate(ctx: SampleContext) -> Mapping[str, Sequence[Mapping[str, Any]]]:
    """Categories, channels, users, threads and messages, parents before children."""
    now = ctx.now.replace(tzinfo=None)  # Metricity stores naive UTC timestamps
    start = now - timedelta(days=ctx.days)
    categories, channels = _places()
    users = _users(ctx, start, now)
    threads, thread_messages = _help_threads(ctx, start, now, users)
    messages = _channel_messages(ctx, start, now, users, channels) + thread_messages
    messages.sort(key=lambda m: m["id"])
    return {
        "categories": categories,
        "channels": channels,
        "users": users,
        "threads": threads,
        "messages": messages,
    }


def snowflake(moment: datetime, sequence: int) -> str:
    """A Discord id for something created at ``moment`` (ids sort by creation time)."""
    millis = int((moment - datetime(1970, 1, 1)).total_seconds() * 1000)
    return str(((millis - DISCORD_EPOCH_MS) << 22) | (sequence & 0x3FFFFF))


def activity(moment: datetime) -> float:
    """How busy the server is at ``moment`` relative to its average: a daily and a weekly rhythm."""
    hour = moment.hour + moment.minute / 60
    daily = 1 + 0.75 * math.cos((hour - 19) / 24 * 2 * math.pi)  # peak 19:00 UTC, trough 07:00
    weekly = 1.25 if moment.weekday() >= 5 else 0.9
    return daily * weekly


def _places() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    categories = [{"id": cid, "name": name, "deleted": False} for cid, name, _, _ in CATEGORIES]
    channels = [
        {"id": chid, "name": chname, "category_id": cid, "is_staff": staff, "deleted": False}
        for cid, _, staff, members in CATEGORIES
        for chid, chname, _ in members
    ]
    return categories, channels


def _users(ctx: SampleContext, start: datetime, now: datetime) -> list[dict[str, Any]]:
    """Members sorted by join time: veterans first, then a growing stream of joins over the window."""
    rng = ctx.rng("users")
    joined: list[datetime] = [start - timedelta(days=rng.uniform(1, 1500)) for _ in range(MEMBERS_BEFORE)]
    day = start
    while day < now:
        growth = 0.8 + 0.4 * (day - start).days / max(ctx.days, 1)
        weekend = 1.4 if day.weekday() >= 5 else 1.0
        for _ in range(_poisson(rng, JOINS_PER_DAY * growth * weekend)):
            moment = day + timedelta(seconds=rng.uniform(0, 86400))
            if moment < now:
                joined.append(moment)
        day += timedelta(days=1)
    joined.sort()
    users = []
    for index, moment in enumerate(joined):
        bot = index < len(BOT_NAMES)
        users.append({
            "id": snowflake(moment - timedelta(days=rng.uniform(0, 2000)), index),
            "name": BOT_NAMES[index] if bot else f"member{index:05d}",
            "avatar_hash": None,
            "joined_at": moment,
            "created_at": moment - timedelta(days=rng.uniform(0, 2000)),
            "is_staff": not bot and index < 60 and rng.random() < 0.6,
            "bot": bot,
            "in_guild": bot or rng.random() < (0.93 if index < MEMBERS_BEFORE else 0.8),
            "public_flags": "{}",
            "pending": not bot and moment > now - timedelta(days=2) and rng.random() < 0.3,
            "guild_avatar_hash": None,
        })  # fmt: skip
    return users


def _author_picker(ctx: SampleContext, name: str, users: Sequence[Mapping[str, Any]]) -> Any:
    """A function ``moment -> user`` picking a human member who had joined by then, veterans more often."""
    rng = ctx.rng(name)
    humans = [u for u in users if not u["bot"]]
    joined = [u["joined_at"] for u in humans]

    def pick(moment: datetime) -> Mapping[str, Any]:
        eligible = max(bisect.bisect_right(joined, moment), 1)
        # Most messages come from a core of regulars; a third from anyone, newcomers included.
        position = rng.random() ** 3 if rng.random() < 0.67 else rng.random()
        return humans[min(int(position * eligible), eligible - 1)]

    return pick


def _channel_messages(
    ctx: SampleContext,
    start: datetime,
    now: datetime,
    users: Sequence[Mapping[str, Any]],
    channels: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    rng = ctx.rng("messages")
    pick_author = _author_picker(ctx, "message-authors", users)
    weights = {chid: weight for _, _, _, members in CATEGORIES for chid, _, weight in members}
    ids = [c["id"] for c in channels if c["name"] != "python-help"]  # help talk happens in threads
    cumulative = list(_accumulate([weights[i] for i in ids]))
    messages: list[dict[str, Any]] = []
    hour = start.replace(minute=0, second=0, microsecond=0)
    sequence = 0
    while hour < now:
        for _ in range(_poisson(rng, MESSAGES_PER_DAY / 24 * activity(hour))):
            moment = hour + timedelta(seconds=rng.uniform(0, 3600))
            if moment >= now:
                continue
            channel = ids[bisect.bisect_left(cumulative, rng.uniform(0, cumulative[-1]))]
            sequence += 1
            author = pick_author(moment)["id"]
            messages.append(_message(moment, sequence, channel, author, None, rng.random() < 0.02, rng))
        hour += timedelta(hours=1)
    return messages


def _help_threads(
    ctx: SampleContext, start: datetime, now: datetime, users: Sequence[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Help posts in the forum: the asker's message, replies from others (most posts), the bot's close."""
    rng = ctx.rng("help-threads")
    pick_author = _author_picker(ctx, "help-authors", users)
    helpers = [u for u in users if u["is_staff"]] or [u for u in users if not u["bot"]]
    bot_id = users[0]["id"]
    forum = "1035199133436354603"
    threads: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    day = start
    sequence = 1_000_000
    while day < now:
        for _ in range(_poisson(rng, HELP_THREADS_PER_DAY * activity(day + timedelta(hours=12)))):
            opened = day + timedelta(seconds=rng.uniform(0, 86400))
            if opened >= now:
                continue
            sequence += 1
            thread_id = snowflake(opened, sequence)
            asker = pick_author(opened)["id"]
            posted = [(opened, asker)]
            moment = opened
            for _ in range(rng.choice((0, 1, 2, 3, 3, 4, 5, 6, 8, 12))):
                moment += timedelta(minutes=rng.expovariate(1 / 25))
                replier = rng.choice(helpers)["id"] if rng.random() < 0.5 else pick_author(moment)["id"]
                posted.append((moment, replier if rng.random() < 0.7 else asker))
            closed = moment + timedelta(hours=rng.expovariate(1 / 6))
            is_closed = closed < now
            if is_closed:
                posted.append((closed, bot_id))
            for when, author in posted:
                if when < now:
                    sequence += 1
                    messages.append(_message(when, sequence, forum, author, thread_id, rng.random() < 0.01, rng))
            threads.append({
                "id": thread_id,
                "parent_channel_id": forum,
                "created_at": opened,
                "name": f"help post {len(threads) + 1}",
                "archived": is_closed,
                "auto_archive_duration": 10080,
                "locked": is_closed and rng.random() < 0.15,
                "type": "public_thread",
            })  # fmt: skip
        day += timedelta(days=1)
    return threads, messages


def _message(
    moment: datetime, sequence: int, channel: str, author: str, thread: str | None, deleted: bool, rng: Any
) -> dict[str, Any]:
    return {
        "id": snowflake(moment, sequence),
        "channel_id": channel,
        "author_id": author,
        "created_at": moment,
        "is_deleted": deleted,
        "thread_id": thread,
        "content_hash": f"{rng.getrandbits(128):032x}",
    }


def _poisson(rng: Any, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method for small means, a rounded normal above 30)."""
    if mean > 30:
        return max(round(rng.normalvariate(mean, math.sqrt(mean))), 0)
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _accumulate(values: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for value in values:
        total += value
        out.append(total)
    return out
