"""A deploy lock kept on the Metabase instance itself, through its API, for a whole deploy.

Metabase gives no way to create a card or collection only if it does not exist: two deploys at once
would both plan "create" and both create, leaving every question and collection twice. So ``deploy``
takes this lock before it plans and holds it until the last write. The lock is a collection in the root
collection named :data:`LOCK_NAME` whose description ends with a marker line naming the holder and an
expiry (``pydis-dash:lock expires=2026-12-04T03:20:00Z holder=...``).

Taking it, without any compare-and-swap in the API: each contender creates its own lock collection,
then lists them; the live (unexpired) one with the lowest id wins, and the others archive theirs and
refuse, naming the winner. Metabase hands out increasing ids, so two contenders always agree on the
winner. The holder renews the expiry while it works; a lock whose holder died expires by itself after
:data:`DEFAULT_TTL` and is archived by the next deploy. Archived lock collections stay restorable in the
Trash like everything pydis-dash archives.
"""

from __future__ import annotations

import getpass
import os
import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.providers.metabase.client import MetabaseClient, MetabaseError

LOCK_NAME = "pydis-dash deploy lock"
LOCK_MARKER = "pydis-dash:lock"
#: How long a lock lives without renewal: a deploy that died holds the instance at most this long.
DEFAULT_TTL = timedelta(minutes=10)
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class DeployLocked(EnvironmentProblem):
    """Another deploy holds the instance's lock (exit 3: nothing was planned or written)."""


@dataclass(frozen=True)
class LockEntry:
    """One live lock collection: its id, who holds it, and until when."""

    collection_id: int
    holder: str
    expires: datetime

    def describe(self) -> str:
        """``alice@ci-7 pid 4121 (expires 2026-12-04T03:20:00Z)``."""
        return f"{self.holder} (expires {self.expires.strftime(_TIME_FORMAT)})"


def lock_description(holder: str, expires: datetime) -> str:
    """The description of a lock collection: a sentence for people, then the marker line."""
    marker = f"{LOCK_MARKER} expires={expires.strftime(_TIME_FORMAT)} holder={holder}"
    return f"Held by a running pydis-dash deploy; archived when it ends.\n\n{marker}"


def parse_lock(collection: object) -> LockEntry | None:
    """The lock a collection holds, or None when it is no lock collection."""
    if not isinstance(collection, Mapping):
        return None
    description = collection.get("description")
    if collection.get("name") != LOCK_NAME or not isinstance(description, str):
        return None
    line = description.rstrip().rpartition("\n")[2].strip()
    if not line.startswith(LOCK_MARKER + " expires="):
        return None
    stamp, _, holder = line.removeprefix(LOCK_MARKER + " expires=").partition(" holder=")
    try:
        expires = datetime.strptime(stamp, _TIME_FORMAT).replace(tzinfo=UTC)
        collection_id = int(collection["id"])
    except (ValueError, TypeError, KeyError):
        return None
    return LockEntry(collection_id, holder.strip() or "unknown", expires)


def default_holder() -> str:
    """``user@host pid N``, plus the CI run when there is one: what an operator needs to find it."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    holder = f"{user}@{socket.gethostname()} pid {os.getpid()}"
    run = os.environ.get("GITHUB_RUN_ID")
    return f"{holder} (GitHub run {run})" if run else holder


class MetabaseDeployLock:
    """The lock of one Metabase instance: ``with lock:`` holds it, renewing it in the background."""

    def __init__(
        self,
        client: MetabaseClient,
        environment: str,
        *,
        holder: str | None = None,
        ttl: timedelta = DEFAULT_TTL,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.environment = environment
        self.holder = " ".join((holder or default_holder()).split())  # one line, whatever the host name
        self.ttl = ttl
        self.clock = clock
        self.collection_id: int | None = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def __enter__(self) -> MetabaseDeployLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        try:
            self.release()
        except EnvironmentProblem:
            if kind is None:
                raise  # the deploy itself went through: say that the lock stays behind
            # Otherwise the error already propagating is the one to report.

    # -- taking and giving back ---------------------------------------------------------------------

    def acquire(self) -> None:
        """Take the lock, or raise :class:`DeployLocked` naming the holder (after giving back ours), or
        :class:`EnvironmentProblem` when Metabase's answers cannot tell whether the instance is free."""
        try:
            self._take()
        except MetabaseError as exc:
            raise EnvironmentProblem(f"{self.environment}: cannot take the deploy lock: {exc}") from None
        self._renewer = threading.Thread(target=self._renew_until_released, name="metabase-lock", daemon=True)
        self._renewer.start()

    def _take(self) -> None:
        self._refuse_if_held(self._live_locks())
        mine = self._write_lock()
        try:
            winner = min(self._live_locks(), key=lambda entry: entry.collection_id, default=None)
            if winner is not None and winner.collection_id != mine:
                self._refuse_if_held([winner])
        except BaseException:
            self._archive(mine)  # refused, or the check itself failed: never leave a lock nobody holds
            raise
        self.collection_id = mine

    def release(self) -> None:
        """Give the lock back (archive our lock collection); harmless when not held. Raises
        :class:`EnvironmentProblem` when Metabase does not confirm it: the lock then stays until it expires,
        and other deploys are refused until then."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        collection_id, self.collection_id = self.collection_id, None
        if collection_id is None:
            return
        try:
            answer = self.client.archive_collection(collection_id)
        except MetabaseError as exc:
            answer = {"error": str(exc)}
        if answer.get("archived") is not True:
            expires = (self.clock() + self.ttl).strftime(_TIME_FORMAT)
            raise EnvironmentProblem(
                f"{self.environment}: the deploy lock (collection {collection_id}) was not given back: Metabase "
                f"did not confirm archiving it ({answer.get('error') or 'no archived flag in its answer'}). "
                f"Other deploys are refused until it expires, by {expires} at the latest."
            )

    # -- steps --------------------------------------------------------------------------------------

    def _live_locks(self) -> list[LockEntry]:
        """The unexpired lock collections; expired ones (a deploy that died) are archived on the way."""
        now = self.clock()
        live = []
        for entry in _locks_in(self.client.collection_tree()):
            if entry.expires > now:
                live.append(entry)
            else:
                self._archive(entry.collection_id)
        return live

    def _refuse_if_held(self, held: Iterable[LockEntry]) -> None:
        for entry in held:
            if entry.collection_id != self.collection_id:
                raise DeployLocked(
                    f"{self.environment}: another deploy is running on Metabase: {entry.describe()}. "
                    f"Try again when it ends; if it died, its lock expires by itself (or archive the "
                    f"collection {LOCK_NAME!r} in Metabase)."
                )

    def _write_lock(self) -> int:
        description = lock_description(self.holder, self.clock() + self.ttl)
        created = self.client.create_collection(LOCK_NAME, None, description)
        return int(created["id"])

    def _renew_until_released(self) -> None:
        """Push the expiry forward every third of the TTL until released (a failed renewal is retried
        at the next tick; the lock stays valid until it expires)."""
        while not self._stop.wait(self.ttl.total_seconds() / 3):
            collection_id = self.collection_id
            if collection_id is None:
                return
            try:
                self.client.update_collection(
                    collection_id, {"description": lock_description(self.holder, self.clock() + self.ttl)}
                )
            except (MetabaseError, EnvironmentProblem):
                continue

    def _archive(self, collection_id: int) -> None:
        # Failing means already archived by someone else, or gone: either way, no longer a lock.
        with suppress(MetabaseError):
            self.client.archive_collection(collection_id)


def _locks_in(tree: object) -> list[LockEntry]:
    """The lock collections among the root collections of a collection tree (a list of collections;
    anything else cannot prove the instance free, so it is refused)."""
    if not isinstance(tree, list):
        raise MetabaseError(f"GET /api/collection/tree: the answer is a {type(tree).__name__}, not a list")
    return [entry for node in tree if (entry := parse_lock(node)) is not None]
