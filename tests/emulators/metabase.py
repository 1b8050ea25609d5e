"""An in-memory Metabase that speaks the REST API a saved-question deployer uses.

Behaviour follows the facts gathered from Metabase's source and docs in
``tests/data/metabase/api-notes.md`` (origin in ``tests/data/SOURCES.md``), not the client's
expectations:

- auth by ``x-api-key`` or a ``POST /api/session`` token in ``X-Metabase-Session``; failures are plain
  text: 401 ``Unauthenticated``, 403 ``You don't have permissions to do that.``, 404 ``Not found.``;
- ``GET /api/database`` answers ``{"data": [...], "total": n}``; ``GET /api/database/:id/metadata``
  lists tables and fields;
- collections: ``GET /api/collection/tree`` (with a personal collection, as a real instance has),
  ``GET /api/collection/:id``, ``POST /api/collection`` (names need not be unique);
- cards are stored and returned in the MBQL 5 ``stages`` shape (``version >= 57``; ``template-tags`` a
  list from ``version >= 63``), legacy input is accepted and converted, ``?legacy-mbql=true`` answers
  the legacy shape; ``entity_id`` is generated and a client value ignored; ``description: ""`` on POST
  is a 400 with an ``errors`` body; ``PUT {"archived": true}`` archives; MBQL 5 field refs inside a
  legacy-shaped query answer 500 (metabase#74615);
- users: every API key has its own user (Metabase creates one per key), a login is a user; creating or
  saving a card records a revision by the requesting user, ``GET /api/card/:id`` carries
  ``last-edit-info`` (``{"id", "email", "first_name", "last_name", "timestamp"}`` of the latest revision),
  ``GET /api/revision?entity=card&id=N`` lists the revisions newest first, and ``GET /api/user/current``
  answers the requesting user. A test edits a card "in the UI" by sending a PUT as another user
  (:meth:`MetabaseState.add_person` with an API key).

- releases: ``MetabaseState.version`` is the minor of one of :data:`RELEASES` (0.50, 0.54, 0.57, 0.63,
  0.66), as its API changelog describes them: legacy MBQL up to 0.56; MBQL 5 from 0.57
  (``?legacy-mbql=true`` for the old shape); ``template-tags`` a list from 0.63; from 0.66
  ``GET /api/database/:id/metadata`` leaves out fields whose visibility is ``sensitive`` unless
  ``include_sensitive_fields=true``. ``GET /api/session/properties`` (no authentication) reports the
  version as ``{"version": {"tag": "v0.57.3", ...}}`` on every release. The endpoints 0.55 renamed
  (``/api/util/*``, ``/api/card/from-csv``) are not used by pydis-dash and not emulated.

Server, request log and fault injection come from the shared base, ``tests/emulators/http.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import re
import secrets
import string
import uuid
from dataclasses import dataclass, field
from typing import Any

from .http import Emulator, Request, Response

UNAUTHENTICATED = "Unauthenticated"
FORBIDDEN = "You don't have permissions to do that."
NOT_FOUND = "Not found."

_NANOID_ALPHABET = string.ascii_letters + string.digits + "_-"

#: The release lines emulated (Metabase's minor versions; each keeps long-term support for a year), and
#: the patch release ``/api/session/properties`` reports for each.
RELEASES: dict[int, str] = {50: "v0.50.36", 54: "v0.54.15", 57: "v0.57.3", 63: "v0.63.2", 66: "v0.66.1"}


def _text(status: int, message: str) -> Response:
    # Metabase answers auth and not-found errors with a plain-text body, not JSON.
    return Response(status, message.encode(), {"Content-Type": "text/plain"})


def _invalid(errors: dict[str, str]) -> Response:
    # Metabase's schema-validation error body (metabase.api.common / malli humanize).
    return Response(400, {"errors": errors, "specific-errors": {k: [v] for k, v in errors.items()}})


class HttpError(Exception):
    """Raised by a route to answer with ``reply``."""

    def __init__(self, reply: Response) -> None:
        super().__init__(reply.status)
        self.reply = reply


@dataclass
class Field:
    """A column in a table of a database's metadata."""

    id: int
    name: str
    base_type: str
    #: ``normal``, ``details-only``, ``retired`` or ``sensitive`` ("Do not include").
    visibility_type: str = "normal"


@dataclass
class Table:
    """A table in a database's metadata."""

    id: int
    name: str
    fields: list[Field]
    schema: str = "public"


@dataclass
class Database:
    """A connected database."""

    id: int
    name: str
    tables: list[Table]
    engine: str = "postgres"


METRICITY_TABLES: dict[str, list[tuple[str, str]]] = {
    # A subset of the Metricity schema: enough columns for the bundled questions' field filters.
    "categories": [("id", "type/Text"), ("name", "type/Text"), ("deleted", "type/Boolean")],
    "channels": [
        ("id", "type/Text"),
        ("name", "type/Text"),
        ("category_id", "type/Text"),
        ("is_staff", "type/Boolean"),
        ("deleted", "type/Boolean"),
    ],
    "messages": [
        ("id", "type/Text"),
        ("channel_id", "type/Text"),
        ("author_id", "type/Text"),
        ("created_at", "type/DateTime"),
        ("is_deleted", "type/Boolean"),
        ("thread_id", "type/Text"),
    ],
    "users": [
        ("id", "type/Text"),
        ("name", "type/Text"),
        ("joined_at", "type/DateTime"),
        ("created_at", "type/DateTime"),
        ("is_staff", "type/Boolean"),
        ("bot", "type/Boolean"),
        ("in_guild", "type/Boolean"),
    ],
    "threads": [
        ("id", "type/Text"),
        ("parent_channel_id", "type/Text"),
        ("created_at", "type/DateTime"),
        ("name", "type/Text"),
        ("archived", "type/Boolean"),
    ],
}


@dataclass
class MetabaseState:
    """Everything the emulated instance holds. Tests may read and change it directly ("by hand")."""

    version: int = 57
    api_keys: set[str] = field(default_factory=set)
    read_only_api_keys: set[str] = field(default_factory=set)
    users: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, int] = field(default_factory=dict)
    people: dict[int, dict[str, Any]] = field(default_factory=dict)
    key_owners: dict[str, int] = field(default_factory=dict)
    login_owners: dict[str, int] = field(default_factory=dict)
    revisions: list[dict[str, Any]] = field(default_factory=list)
    databases: dict[int, Database] = field(default_factory=dict)
    collections: dict[int, dict[str, Any]] = field(default_factory=dict)
    cards: dict[int, dict[str, Any]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _user_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_id(self) -> int:
        """A fresh id (shared across object kinds, which Metabase does not do but nothing relies on)."""
        return next(self._ids)

    def add_person(
        self, email: str, first_name: str | None, last_name: str | None, *, api_key: str | None = None
    ) -> dict[str, Any]:
        """A Metabase user; with ``api_key``, that key acts as this user (as a UI session would)."""
        person: dict[str, Any] = {
            "id": next(self._user_ids),
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "common_name": " ".join(n for n in (first_name, last_name) if n) or email,
            "is_superuser": False,
        }
        self.people[person["id"]] = person
        if api_key:
            self.api_keys.add(api_key)
            self.key_owners[api_key] = person["id"]
        return person

    def add_api_key(self, key: str, name: str) -> dict[str, Any]:
        """An API key with the user Metabase creates for it (named after the key, fake email)."""
        return self.add_person(f"api-key-user-{uuid.uuid4()}@api-key.invalid", name, None, api_key=key)

    def add_login(self, username: str, password: str) -> dict[str, Any]:
        """A user who logs in with a username (their email) and password."""
        person = self.add_person(username, username.split("@")[0].title(), None)
        self.users[username] = password
        self.login_owners[username] = person["id"]
        return person

    def add_revision(self, card_id: int, user_id: int, *, is_creation: bool, changed: list[str]) -> None:
        """Record a save of a card by a user, as Metabase's revision table does."""
        self.revisions.append(
            {
                "id": len(self.revisions) + 1,
                "model_id": card_id,
                "user_id": user_id,
                "timestamp": _now(),
                "is_creation": is_creation,
                "is_reversion": False,
                "message": None,
                "description": "created this." if is_creation else f"changed {', '.join(sorted(changed))}.",
            }
        )

    def add_database(self, name: str, tables: dict[str, list[tuple[str, str]]]) -> Database:
        """Connect a database with the given ``{table: [(column, base_type)]}`` metadata."""
        database = Database(
            self.next_id(),
            name,
            [
                Table(self.next_id(), table, [Field(self.next_id(), c, t) for c, t in columns])
                for table, columns in tables.items()
            ],
        )
        self.databases[database.id] = database
        return database

    def add_collection(
        self, name: str, parent_id: int | None = None, personal_owner_id: int | None = None
    ) -> dict[str, Any]:
        """Create a collection as the UI would (used by tests for hand-made collections)."""
        parent_location = "/" if parent_id is None else f"{self.collections[parent_id]['location']}{parent_id}/"
        collection: dict[str, Any] = {
            "id": self.next_id(),
            "name": name,
            "description": None,
            "location": parent_location,
            "archived": False,
            "personal_owner_id": personal_owner_id,
            "entity_id": nanoid(),
            "slug": re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_"),
            "type": None,
            "namespace": None,
        }
        self.collections[int(collection["id"])] = collection
        return collection

    def field_id(self, database: str, table: str, column: str) -> int:
        """The id of ``table.column`` in the database named ``database`` (for assertions)."""
        for db in self.databases.values():
            if db.name == database:
                for t in db.tables:
                    for f in t.fields:
                        if t.name == table and f.name == column:
                            return f.id
        raise KeyError(f"{database}.{table}.{column}")


def nanoid() -> str:
    """A 21-character NanoID, the shape of Metabase's ``entity_id``."""
    return "".join(secrets.choice(_NANOID_ALPHABET) for _ in range(21))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def new_state(
    *,
    version: int = 57,
    api_key: str | None = "mb-test-key",
    username: str | None = None,
    password: str | None = None,
) -> MetabaseState:
    """A fresh instance with the Metricity database connected and one personal collection."""
    state = MetabaseState(version=version)
    admin = state.add_person("admin@example.com", "Ada", "Admin")
    admin["is_superuser"] = True
    if api_key:
        state.add_api_key(api_key, "pydis-dash deploy")["is_superuser"] = True
    if username and password:
        state.add_login(username, password)["is_superuser"] = True
    state.add_database("Sample Database", {"orders": [("id", "type/Integer"), ("total", "type/Float")]})
    state.add_database("Metricity", METRICITY_TABLES)
    state.add_collection("Admin's Personal Collection", personal_owner_id=admin["id"])
    return state


# ---------------------------------------------------------------------------------------------------
# Query shape conversion (what Metabase does on save and on read)
# ---------------------------------------------------------------------------------------------------


def _is_legacy(query: dict[str, Any]) -> bool:
    return "stages" not in query


def _to_mbql5(query: dict[str, Any], state: MetabaseState) -> dict[str, Any]:
    """Convert a legacy native query to the MBQL 5 shape Metabase stores since v0.57."""
    if not _is_legacy(query):
        given = copy.deepcopy(query["stages"][0])
        listed = given.get("template-tags", {})
        given["template-tags"] = {t["name"]: t for t in listed} if isinstance(listed, list) else listed
        return {"lib/type": "mbql/query", "database": query["database"], "stages": [given]}
    native = query.get("native") or {}
    tags = {}
    for name, tag in (native.get("template-tags") or {}).items():
        tag = copy.deepcopy(tag)
        if tag.get("type") == "dimension":
            ref = tag["dimension"]
            options = ref[2] or {}
            tag["dimension"] = [
                "field",
                {**options, "lib/uuid": str(uuid.uuid4()), "base-type": _base_type(state, ref[1])},
                ref[1],
            ]
        tags[name] = tag
    stage: dict[str, Any] = {"lib/type": "mbql.stage/native", "native": native.get("query", "")}
    stage["template-tags"] = tags
    return {"lib/type": "mbql/query", "database": query["database"], "stages": [stage]}


def _to_legacy(query: dict[str, Any]) -> dict[str, Any]:
    """The legacy shape ``?legacy-mbql=true`` (and versions before 0.57) answer."""
    stage = query["stages"][0]
    tags = {}
    for name, tag in stage.get("template-tags", {}).items():
        tag = copy.deepcopy(tag)
        if tag.get("type") == "dimension":
            options = {k: v for k, v in tag["dimension"][1].items() if k not in ("lib/uuid", "base-type")}
            tag["dimension"] = ["field", tag["dimension"][2], options or None]
        tags[name] = tag
    return {
        "type": "native",
        "database": query["database"],
        "native": {"query": stage["native"], "template-tags": tags},
    }


def _base_type(state: MetabaseState, field_id: int) -> str:
    for database in state.databases.values():
        for table in database.tables:
            for column in table.fields:
                if column.id == field_id:
                    return column.base_type
    return "type/*"


def _query_for_version(query: dict[str, Any], state: MetabaseState, legacy: bool) -> dict[str, Any]:
    if legacy or state.version < 57:
        return _to_legacy(query)
    answer = copy.deepcopy(query)
    if state.version >= 63:
        # From v0.63 a stage's template-tags is a list of tags rather than a map keyed by name.
        stage = answer["stages"][0]
        stage["template-tags"] = list(stage["template-tags"].values())
    return answer


# ---------------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------------


class MetabaseEmulator(Emulator):
    """A Metabase instance on the shared emulator server; ``state`` may be changed by tests directly."""

    def __init__(self, state: MetabaseState | None = None) -> None:
        super().__init__()
        self.state = state or new_state()
        routes: list[tuple[str, str, Any]] = [
            ("GET", r"/api/session/properties", self.session_properties),
            ("POST", r"/api/session", self.login),
            ("GET", r"/api/user/current", self.current_user),
            ("GET", r"/api/revision", self.list_revisions),
            ("GET", r"/api/database", self.list_databases),
            ("GET", r"/api/database/(?P<id>\d+)/metadata", self.database_metadata),
            ("GET", r"/api/collection/tree", self.collection_tree),
            ("GET", r"/api/collection/(?P<id>\d+|root)", self.get_collection),
            ("GET", r"/api/collection/(?P<id>\d+|root)/items", self.collection_items),
            ("POST", r"/api/collection", self.create_collection),
            ("PUT", r"/api/collection/(?P<id>\d+)", self.update_collection),
            ("GET", r"/api/card", self.list_cards),
            ("GET", r"/api/card/(?P<id>\d+|[A-Za-z0-9_-]{21})", self.get_card),
            ("POST", r"/api/card", self.create_card),
            ("PUT", r"/api/card/(?P<id>\d+)", self.update_card),
            ("DELETE", r"/api/card/(?P<id>\d+)", self.delete_card),
        ]
        for method, pattern, handler in routes:
            self.route(method, pattern + "/?", _guarded(handler))

    def reset(self, state: MetabaseState | None = None) -> MetabaseEmulator:
        """Start over with ``state`` (a fresh instance by default): no faults, empty request log.

        Lets one running server serve many tests (stopping a server costs its poll interval).
        """
        with self.lock:
            self.state = state or new_state()
        self.clear_faults()
        self.reset_log()
        return self

    def authorize(self, request: Request) -> Response | None:
        """API key or session; a read-only key may read but not write (403)."""
        if request.path.rstrip("/") in ("/api/session", "/api/session/properties"):
            return None
        key = request.headers.get("x-api-key")
        session = request.headers.get("x-metabase-session")
        if key and key in self.state.read_only_api_keys:
            return _text(403, FORBIDDEN) if request.method != "GET" else None
        if (key and key in self.state.api_keys) or (session and session in self.state.sessions):
            return None
        return _text(401, UNAUTHENTICATED)

    def not_found(self, request: Request) -> Response:
        """Metabase's plain-text 404."""
        return _text(404, NOT_FOUND)

    def card_writes(self) -> list[tuple[str, str]]:
        """``(method, path)`` of writes to cards and collections (logging in is not a write)."""
        return [(r.method, r.path) for r in self.writes() if r.path.rstrip("/") != "/api/session"]

    def user_of(self, request: Request) -> dict[str, Any]:
        """The user behind the request's API key or session (authorize already accepted it)."""
        key = request.headers.get("x-api-key")
        session = request.headers.get("x-metabase-session")
        owner = self.state.key_owners.get(key or "") or self.state.sessions.get(session or "")
        # A key a test added to ``api_keys`` directly acts as the first user (the admin).
        return self.state.people.get(owner or 0) or self.state.people[min(self.state.people)]

    def current_user(self, request: Request) -> Response:
        """``GET /api/user/current``: the user behind the key or session."""
        return Response(200, copy.deepcopy(self.user_of(request)))

    def list_revisions(self, request: Request) -> Response:
        """``GET /api/revision?entity=card&id=N``: the card's revisions, newest first."""
        entity, raw_id = request.arg("entity"), request.arg("id") or ""
        if entity not in ("card", "dashboard") or not raw_id.isdigit():
            return _invalid({"entity": "enum of card, dashboard", "id": "value must be an integer greater than zero."})
        if entity == "dashboard":
            return _text(404, NOT_FOUND)
        card = self._card(raw_id)
        entries = [r for r in self.state.revisions if r["model_id"] == card["id"]]
        answer = []
        for revision in sorted(entries, key=lambda r: int(r["id"]), reverse=True):
            person = self.state.people[revision["user_id"]]
            user = {k: person[k] for k in ("id", "first_name", "last_name", "common_name")}
            answer.append(
                {k: revision[k] for k in ("id", "timestamp", "is_creation", "is_reversion", "message", "description")}
                | {"user": user, "diff": None, "has_multiple_changes": False}
            )
        return Response(200, answer)

    # -- session ------------------------------------------------------------------------------------

    def login(self, request: Request) -> Response:
        """``POST /api/session``: a session token for valid credentials."""
        body = _json(request) or {}
        username, password = body.get("username"), body.get("password")
        if not username or not password:
            return _invalid({"username": "value must be a non-blank string."})
        if self.state.users.get(username) != password:
            # Metabase answers 401 with an errors body for bad credentials.
            return Response(401, {"errors": {"password": "did not match stored password"}})
        token = str(uuid.uuid4())
        self.state.sessions[token] = self.state.login_owners[username]
        return Response(200, {"id": token})

    def session_properties(self, request: Request) -> Response:
        """``GET /api/session/properties``: public settings, the version among them (no authentication)."""
        tag = RELEASES.get(self.state.version, f"v0.{self.state.version}.0")
        version = {"tag": tag, "date": "2026-11-20", "branch": "release-x", "hash": "0123abc"}
        return Response(200, {"version": version, "site-name": "Python Discord", "has-user-setup": True})

    # -- databases ----------------------------------------------------------------------------------

    def list_databases(self, request: Request) -> Response:
        """``GET /api/database``: the ``{"data": [...], "total": n}`` envelope."""
        data = [
            {"id": db.id, "name": db.name, "engine": db.engine, "is_sample": db.name == "Sample Database"}
            for db in self.state.databases.values()
        ]
        return Response(200, {"data": data, "total": len(data)})

    def database_metadata(self, request: Request) -> Response:
        """``GET /api/database/:id/metadata``: tables with their fields."""
        database = self.state.databases.get(int(request.params["id"]))
        if database is None:
            return _text(404, NOT_FOUND)
        sensitive_asked = request.arg("include_sensitive_fields") == "true"
        tables = [
            {
                "id": table.id,
                "name": table.name,
                "schema": table.schema,
                "db_id": database.id,
                "fields": [
                    {
                        "id": f.id,
                        "name": f.name,
                        "base_type": f.base_type,
                        "table_id": table.id,
                        "visibility_type": f.visibility_type,
                    }
                    for f in table.fields
                    if f.visibility_type != "sensitive" or self.state.version < 66 or sensitive_asked
                ],
            }
            for table in database.tables
        ]
        return Response(200, {"id": database.id, "name": database.name, "engine": database.engine, "tables": tables})

    # -- collections --------------------------------------------------------------------------------

    def _collection(self, raw_id: str) -> dict[str, Any]:
        collection = self.state.collections.get(int(raw_id))
        if collection is None:
            raise HttpError(_text(404, NOT_FOUND))
        return collection

    def collection_tree(self, request: Request) -> Response:
        """``GET /api/collection/tree``: non-archived collections nested under ``children``."""
        exclude_archived = request.arg("exclude-archived", "false") == "true"
        nodes = {
            cid: {**copy.deepcopy(c), "children": []}
            for cid, c in self.state.collections.items()
            if not (exclude_archived and c["archived"])
        }
        roots = []
        for node in nodes.values():
            parent = _parent_id(node["location"])
            if parent is None:
                roots.append(node)
            elif parent in nodes:
                nodes[parent]["children"].append(node)
        return Response(200, roots)

    def get_collection(self, request: Request) -> Response:
        """``GET /api/collection/:id``."""
        if request.params["id"] == "root":
            return Response(200, {"id": "root", "name": "Our analytics", "location": None})
        return Response(200, self._collection(request.params["id"]))

    def collection_items(self, request: Request) -> Response:
        """``GET /api/collection/:id/items``: what is directly in a collection (sub-collections and cards
        of every type), live ones unless ``archived=true``; ``models=`` filters by model."""
        collection_id = None if request.params["id"] == "root" else self._collection(request.params["id"])["id"]
        archived = request.arg("archived") == "true"
        location = (
            "/" if collection_id is None else f"{self.state.collections[collection_id]['location']}{collection_id}/"
        )
        data: list[dict[str, Any]] = [
            {"id": c["id"], "name": c["name"], "model": "collection", "description": c["description"]}
            for c in self.state.collections.values()
            if c["location"] == location and c["archived"] == archived and c["personal_owner_id"] is None
        ]
        data += [
            {"id": c["id"], "name": c["name"], "model": _CARD_MODELS[c["type"]], "description": c["description"]}
            for c in self.state.cards.values()
            if c["collection_id"] == collection_id and c["archived"] == archived
        ]
        wanted = set(request.query.get("models", []))
        data = [item for item in data if not wanted or item["model"] in wanted]
        return Response(200, {"data": data, "total": len(data), "models": sorted({i["model"] for i in data})})

    def create_collection(self, request: Request) -> Response:
        """``POST /api/collection``: names need not be unique; the parent must exist."""
        body = _json(request) or {}
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            return _invalid({"name": "value must be a non-blank string."})
        parent_id = body.get("parent_id")
        if parent_id is not None:
            self._collection(str(parent_id))
        collection = self.state.add_collection(name, parent_id)
        collection["description"] = body.get("description")
        return Response(200, collection)

    def update_collection(self, request: Request) -> Response:
        """``PUT /api/collection/:id``: rename, describe, archive."""
        collection = self._collection(request.params["id"])
        body = _json(request) or {}
        for key in ("name", "description", "archived"):
            if key in body:
                collection[key] = body[key]
        return Response(200, collection)

    # -- cards --------------------------------------------------------------------------------------

    def _card(self, raw_id: str) -> dict[str, Any]:
        if raw_id.isdigit():
            card = self.state.cards.get(int(raw_id))
        else:
            card = next((c for c in self.state.cards.values() if c["entity_id"] == raw_id), None)
        if card is None:
            raise HttpError(_text(404, NOT_FOUND))
        return card

    def _present(self, card: dict[str, Any], legacy: bool = False, *, last_edit: bool = False) -> dict[str, Any]:
        answer = copy.deepcopy(card)
        answer["dataset_query"] = _query_for_version(card["dataset_query"], self.state, legacy)
        collection = self.state.collections.get(card["collection_id"] or -1)
        answer["collection"] = copy.deepcopy(collection) if collection else None
        revisions = [r for r in self.state.revisions if r["model_id"] == card["id"]]
        if last_edit and revisions:
            # Hydrated on a single card's GET; absent when the card has no revision.
            latest = max(revisions, key=lambda r: int(r["id"]))
            person = self.state.people[latest["user_id"]]
            answer["last-edit-info"] = {k: person[k] for k in ("id", "email", "first_name", "last_name")} | {
                "timestamp": latest["timestamp"]
            }
        return answer

    def list_cards(self, request: Request) -> Response:
        """``GET /api/card?f=all|archived``: a bare list."""
        archived = request.arg("f") == "archived"
        cards = [self._present(c) for c in self.state.cards.values() if c["archived"] == archived]
        return Response(200, cards)

    def get_card(self, request: Request) -> Response:
        """``GET /api/card/:id`` (or entity id), MBQL 5 unless ``?legacy-mbql=true``."""
        legacy = request.arg("legacy-mbql") == "true"
        return Response(200, self._present(self._card(request.params["id"]), legacy, last_edit=True))

    def _check_query(self, query: Any) -> dict[str, Any]:
        if not isinstance(query, dict):
            raise HttpError(_invalid({"dataset_query": "value must be a map."}))
        database_id = query.get("database")
        if not isinstance(database_id, int) or database_id not in self.state.databases:
            # Metabase checks query permissions against the database; an unknown one is forbidden.
            raise HttpError(_text(403, FORBIDDEN))
        if _is_legacy(query):
            tags = ((query.get("native") or {}).get("template-tags")) or {}
            for name, tag in tags.items():
                if tag.get("name") != name:
                    raise HttpError(
                        _invalid({"dataset_query": "keys in template tag map must match the :name of their values"})
                    )
                for required in ("id", "name", "display-name", "type"):
                    if not tag.get(required):
                        raise HttpError(_invalid({"dataset_query": f"template tag {name}: missing {required}"}))
                if tag["type"] == "dimension":
                    ref = tag.get("dimension")
                    if not (isinstance(ref, list) and len(ref) == 3 and ref[0] == "field"):
                        raise HttpError(_invalid({"dataset_query": f"template tag {name}: invalid dimension"}))
                    if isinstance(ref[1], dict):
                        # metabase#74615: an MBQL 5 field ref inside a legacy-shaped query fails conversion.
                        raise HttpError(Response(500, {"message": "Error normalizing query", "via": []}))
                    if not isinstance(ref[1], int):
                        raise HttpError(_invalid({"dataset_query": f"template tag {name}: invalid field id"}))
                    if not tag.get("widget-type"):
                        raise HttpError(_invalid({"dataset_query": f"template tag {name}: missing widget-type"}))
        return _to_mbql5(query, self.state)

    def _check_collection(self, collection_id: Any) -> None:
        if collection_id is not None and collection_id not in self.state.collections:
            raise HttpError(_text(404, NOT_FOUND))

    def create_card(self, request: Request) -> Response:
        """``POST /api/card``: validated like Metabase's ``card_write`` schema."""
        body = _json(request) or {}
        errors = {}
        if not isinstance(body.get("name"), str) or not body["name"].strip():
            errors["name"] = "value must be a non-blank string."
        if not isinstance(body.get("display"), str) or not body["display"].strip():
            errors["display"] = "value must be a non-blank string."
        if not isinstance(body.get("visualization_settings"), dict):
            errors["visualization_settings"] = "Value must be a map."
        if "dataset_query" not in body:
            errors["dataset_query"] = "value must be a map."
        description = body.get("description")
        if description is not None and (not isinstance(description, str) or not description.strip()):
            errors["description"] = "nullable value must be a non-blank string."
        if errors:
            return _invalid(errors)
        query = self._check_query(body["dataset_query"])
        self._check_collection(body.get("collection_id"))
        card_id = self.state.next_id()
        card = {
            "id": card_id,
            "entity_id": nanoid(),  # generated; a client-supplied entity_id is ignored
            "name": body["name"],
            "description": description,
            "display": body["display"],
            "type": body.get("type", "question"),
            "visualization_settings": body["visualization_settings"],
            "dataset_query": query,
            "parameters": body.get("parameters") or _parameters_from_tags(query),
            "parameter_mappings": body.get("parameter_mappings", []),
            "collection_id": body.get("collection_id"),
            "collection_position": None,
            "archived": False,
            "cache_ttl": body.get("cache_ttl"),
            "query_type": "native",
            "database_id": query["database"],
            "table_id": None,
            "creator_id": self.user_of(request)["id"],
            "created_at": _now(),
            "updated_at": _now(),
            "result_metadata": [],
            "enable_embedding": False,
            "embedding_params": None,
            "public_uuid": None,
            "made_public_by_id": None,
            "can_write": True,
            "dashboard_count": 0,
        }
        self.state.cards[card_id] = card
        self.state.add_revision(card_id, card["creator_id"], is_creation=True, changed=[])
        return Response(200, self._present(card))

    def update_card(self, request: Request) -> Response:
        """``PUT /api/card/:id``: any subset of fields; ``archived`` moves to or from the Trash."""
        card = self._card(request.params["id"])
        body = _json(request) or {}
        if "dataset_query" in body:
            card["dataset_query"] = self._check_query(body["dataset_query"])
            card["database_id"] = card["dataset_query"]["database"]
        if "collection_id" in body:
            self._check_collection(body["collection_id"])
        if "name" in body and (not isinstance(body["name"], str) or not body["name"].strip()):
            return _invalid({"name": "value must be a non-blank string."})
        for key in (
            "name",
            "description",
            "display",
            "visualization_settings",
            "parameters",
            "collection_id",
            "archived",
            "type",
            "cache_ttl",
        ):
            if key in body:
                card[key] = copy.deepcopy(body[key])
        card["updated_at"] = _now()
        changed = [key for key in body if key != "dataset_query"] + (["query"] if "dataset_query" in body else [])
        self.state.add_revision(card["id"], self.user_of(request)["id"], is_creation=False, changed=changed)
        return Response(200, self._present(card))

    def delete_card(self, request: Request) -> Response:
        """``DELETE /api/card/:id``: permanent."""
        card = self._card(request.params["id"])
        del self.state.cards[card["id"]]
        return Response(204, None)


def _parent_id(location: str) -> int | None:
    parts = [p for p in location.split("/") if p]
    return int(parts[-1]) if parts else None


def _parameters_from_tags(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Metabase derives a native card's parameters from its tags when none are sent."""
    parameters = []
    for tag in query["stages"][0].get("template-tags", {}).values():
        dimension = tag["type"] == "dimension"
        parameters.append(
            {
                "id": tag["id"],
                "type": tag.get("widget-type") if dimension else _DEFAULT_PARAMETER_TYPES.get(tag["type"], "category"),
                "target": ["dimension" if dimension else "variable", ["template-tag", tag["name"]]],
                "name": tag["display-name"],
                "slug": tag["name"],
            }
        )
    return parameters


# The collection-items model of each card type.
_CARD_MODELS = {"question": "card", "model": "dataset", "metric": "metric"}

_DEFAULT_PARAMETER_TYPES = {
    "date": "date/single",
    "number": "number/=",
    "text": "category",
    "boolean": "boolean/=",
}


def _json(request: Request) -> Any:
    try:
        return request.json()
    except ValueError:
        raise HttpError(_text(400, "Invalid JSON body")) from None


def _guarded(handler: Any) -> Any:
    """Turn an :class:`HttpError` raised by a route into its answer."""

    def route(request: Request) -> Response:
        try:
            response: Response = handler(request)
        except HttpError as error:
            return error.reply
        return response

    return route
