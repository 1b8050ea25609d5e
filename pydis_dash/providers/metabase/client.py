"""A thin Metabase REST client: one private request seam and small methods that absorb API quirks.

Every request leaves through one seam on a :class:`~pydis_dash.providers.http.Transport`. Quirks
absorbed here, so the handlers never see them:
``GET /api/database`` answers ``{"data": [...]}`` on current versions and a bare list on old ones;
errors come as plain text (401/403/404) or as ``{"errors": {...}}`` (400); a session expires and is
renewed once. Retries follow the policy both clients share (:func:`~pydis_dash.providers.http.retry_policy`):
every method after a 429, idempotent ones (GET, PUT) also after 502/503/504, honouring ``Retry-After``;
a read whose answer was cut off is resent. A POST is not resent after a 5xx or a lost answer (the create
may have happened; a rerun finds the card by its marker instead). Every request, the login included,
leaves through :meth:`MetabaseClient._send`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.providers.base import ResourceError
from pydis_dash.providers.http import Answer, Transport, TransportFailure, decode_json, retry_policy
from pydis_dash.redact import clip, remember_secret

log = logging.getLogger(__name__)


class MetabaseError(ResourceError):
    """A request failed (validation error, server error, network error); carries the HTTP status."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class MetabaseAccessError(EnvironmentProblem):
    """Metabase rejected the credentials (401) or the key may not do what a deploy needs (403)."""


class MetabaseClient:
    """Talks to one Metabase instance with an API key (preferred) or a username/password session.

    ``environment`` names the target in messages (``prod``); credentials are passed in already read
    from the environment variables the configuration names, and never appear in messages.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        username: str | None = None,
        password: str | None = None,
        environment: str = "metabase",
        timeout: float | tuple[float, float] = 30.0,
        verify: bool | str = True,
        retries: int = 3,
        backoff_factor: float = 0.5,
        pool_size: int = 8,
    ) -> None:
        if not api_key and not (username and password):
            raise EnvironmentProblem(f"{environment}: Metabase needs an API key or a username and password")
        self.base_url = base_url.rstrip("/")
        self.environment = environment
        self.timeout = timeout
        self.retries = retries
        self.backoff_factor = backoff_factor
        self._username = username
        self._password = password
        self._session_token: str | None = None
        self._login_lock = threading.Lock()
        self._http = Transport(
            retry_policy(retries, backoff_factor),
            verify=verify,
            pool_size=pool_size,
            headers={"Accept": "application/json"} | ({"x-api-key": api_key} if api_key else {}),
            timeout=timeout,
        )

    # -- the seam -----------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """The one place a request leaves this client; no complete answer becomes a MetabaseError."""
        try:
            response = self._http.send(
                method,
                self.base_url + path,
                read_retries=self.retries,
                backoff_factor=self.backoff_factor,
                params=params,
                json=json,
                headers=headers,
            )
        except TransportFailure as error:
            raise MetabaseError(f"{method} {path}: cannot reach Metabase at {self.base_url} ({error})") from None
        log.debug("%s %s -> %s", method, path, response.status_code)
        return response

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        relogin: bool = True,
    ) -> Any:
        """Send one request and return the decoded JSON answer (``None`` for an empty body)."""
        response = self._send(method, path, params=params, json=json, headers=self._auth_headers())
        if response.status_code == 401 and self._username and relogin:
            # A session expires (14 days by default): log in again once, then give up.
            self._session_token = None
            return self._request(method, path, params=params, json=json, relogin=False)
        if response.status_code in (401, 403):
            what = "rejected the credentials" if response.status_code == 401 else "refused access"
            raise MetabaseAccessError(
                f"{self.environment}: Metabase {what} (HTTP {response.status_code} on {method} {path}: "
                f"{_summary(response)})"
            )
        if response.status_code >= 400:
            raise MetabaseError(
                f"{method} {path}: HTTP {response.status_code}: {_summary(response)}", response.status_code
            )
        if not response.content:
            if method == "GET":  # every read answers JSON: an empty one must not read as "nothing there"
                raise MetabaseError(f"{method} {path}: the answer is empty", response.status_code)
            return None
        answer = _json(response)
        if answer is _NOT_JSON:
            raise MetabaseError(f"{method} {path}: answer is not JSON", response.status_code)
        return answer

    @property
    def dry_run(self) -> bool:
        """True once :meth:`enable_dry_run` guarded the transport."""
        return self._http.refuses_writes

    def enable_dry_run(self) -> None:
        """Refuse every write from now on (``DryRunBlocked``). A session login happens first, since
        logging in is a POST that writes nothing."""
        self._auth_headers()
        self._http.refuse_writes()

    def _auth_headers(self) -> dict[str, str]:
        if not self._username:
            return {}
        with self._login_lock:
            if self._session_token is None:
                self._session_token = self._login()
        return {"X-Metabase-Session": self._session_token}

    def _login(self) -> str:
        try:
            response = self._send("POST", "/api/session", json={"username": self._username, "password": self._password})
        except MetabaseError as error:
            raise EnvironmentProblem(f"{self.environment}: {error}") from None
        if response.status_code != 200:
            raise MetabaseAccessError(f"{self.environment}: Metabase refused to log in (HTTP {response.status_code})")
        answer = _json(response)
        token = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(token, str):
            raise MetabaseAccessError(f"{self.environment}: Metabase answered the login without a session")
        remember_secret(token)  # a session id is as good as the password for 14 days
        return token

    def _object(
        self, method: str, path: str, *, json: Any = None, params: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """:meth:`_request` for an answer that must be a JSON object (every single resource, every write)."""
        answer = self._request(method, path, params=params, json=json)
        if not isinstance(answer, dict):
            raise MetabaseError(f"{method} {path}: the answer is {_shape(answer)}, not an object")
        return answer

    # -- reads --------------------------------------------------------------------------------------

    def current_user(self) -> dict[str, Any]:
        """``GET /api/user/current``: the cheapest authenticated request (API keys have a user too)."""
        return self._object("GET", "/api/user/current")

    def version_tag(self) -> str | None:
        """``GET /api/session/properties``'s ``version.tag`` (``v0.57.3``), None when it does not say."""
        answer = self._object("GET", "/api/session/properties")
        version = answer.get("version")
        tag = version.get("tag") if isinstance(version, dict) else None
        return str(tag) if tag else None

    def databases(self) -> list[dict[str, Any]]:
        """Every connected database (``{"data": [...]}`` since v0.47, a bare list before)."""
        answer = self._request("GET", "/api/database")
        data = answer.get("data") if isinstance(answer, dict) else answer
        return _list_of_objects(data, "GET /api/database")

    def database_metadata(self, database_id: int) -> dict[str, Any]:
        """``GET /api/database/:id/metadata``: tables with their fields."""
        return self._object("GET", f"/api/database/{database_id}/metadata")

    def collection_tree(self) -> list[dict[str, Any]]:
        """The non-archived collections, nested under ``children``."""
        answer = self._request("GET", "/api/collection/tree", params={"exclude-archived": "true"})
        return _list_of_objects(answer, "GET /api/collection/tree")

    def cards(self, *, archived: bool = False) -> list[dict[str, Any]]:
        """All cards the credentials can read (``f=all``), or the archived ones (``f=archived``)."""
        answer = self._request("GET", "/api/card", params={"f": "archived" if archived else "all"})
        return _list_of_objects(answer, "GET /api/card")

    def card(self, card_id: int) -> dict[str, Any]:
        """One card as stored (MBQL 5 on v0.57+)."""
        return self._object("GET", f"/api/card/{card_id}")

    def collection_items(self, collection_id: int) -> list[dict[str, Any]]:
        """``GET /api/collection/:id/items``: the live items of every model directly in a collection
        (cards, models, metrics, dashboards, sub-collections...), from the ``data`` envelope."""
        answer = self._request("GET", f"/api/collection/{collection_id}/items")
        data = answer.get("data", []) if isinstance(answer, dict) else answer
        return [item for item in data or [] if isinstance(item, dict)]

    # -- writes -------------------------------------------------------------------------------------

    def create_collection(self, name: str, parent_id: int | None, description: str | None) -> dict[str, Any]:
        """``POST /api/collection``; ``color`` is sent for releases that still require it."""
        body = {"name": name, "parent_id": parent_id, "description": description, "color": "#509EE3"}
        return self._object("POST", "/api/collection", json=body)

    def update_collection(self, collection_id: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        """``PUT /api/collection/:id`` with only the given fields."""
        return self._object("PUT", f"/api/collection/{collection_id}", json=dict(changes))

    def archive_collection(self, collection_id: int) -> dict[str, Any]:
        """``PUT /api/collection/:id {"archived": true}``: to the Trash (restorable), with its contents."""
        return self._object("PUT", f"/api/collection/{collection_id}", json={"archived": True})

    def create_card(self, card: Mapping[str, Any]) -> dict[str, Any]:
        """``POST /api/card``."""
        return self._object("POST", "/api/card", json=dict(card))

    def update_card(self, card_id: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        """``PUT /api/card/:id`` with only the given fields (``{"archived": true}`` archives)."""
        return self._object("PUT", f"/api/card/{card_id}", json=dict(changes))


def _shape(value: Any) -> str:
    """``a list``, ``a str``, ``null``: what an answer was, for a message."""
    return "null" if value is None else f"a {type(value).__name__}"


def _list_of_objects(value: Any, request: str) -> list[dict[str, Any]]:
    """``value`` when it is a list of JSON objects; a MetabaseError naming the request otherwise (reading
    another shape as "nothing there" would plan to create everything again)."""
    if not isinstance(value, list):
        raise MetabaseError(f"{request}: the answer is {_shape(value)}, not a list")
    strays = [item for item in value if not isinstance(item, dict)]
    if strays:
        raise MetabaseError(f"{request}: the list holds {_shape(strays[0])}, not objects")
    return value


#: What :func:`_json` returns for a body that is not JSON (``None`` is valid JSON).
_NOT_JSON = object()


def _json(response: Answer) -> Any:
    """The decoded JSON body, or :data:`_NOT_JSON`."""
    try:
        return decode_json(response)
    except ValueError:
        return _NOT_JSON


def _summary(response: Answer) -> str:
    """A short, secret-free description of an error answer: Metabase's message, not the whole body
    (masked before it is cut, so that no part of a secret survives the cut)."""
    body = _json(response)
    if body is _NOT_JSON:
        text = response.text.strip()
        return clip(text, 200) if text else response.reason or "no body"
    if isinstance(body, dict):
        if isinstance(body.get("errors"), dict):
            return clip("; ".join(f"{k}: {v}" for k, v in body["errors"].items()), 300)
        if isinstance(body.get("message"), str):
            return clip(str(body["message"]), 300)
    return clip(str(body), 200)
