"""Grafana's alerting provisioning API (``/api/v1/provisioning/...``) as an add-on any emulator can mount.

    emulator = GrafanaEmulator()
    alerting = mount_alerting(emulator, folder_exists=lambda uid: uid in emulator.folders)

Behaviour follows the project's notes on ``pkg/services/ngalert/api/api_provisioning.go`` (Grafana 9.5 and
newer; ``/work/shared/specs/grafana/api-behaviour.md`` section 8, copied facts only):

* rule groups: ``GET``/``PUT``/``DELETE .../folder/:folderUid/rule-groups/:group``; ``PUT`` replaces the
  whole group (rules absent from the body are deleted, known uids updated, others created) and answers
  **200** echoing the body; ``interval`` in seconds, a positive multiple of 10; path values override body
  values; 400 on validation errors, 409 when a rule uid belongs to another folder or a title is taken in
  the folder by another group; single rules: ``GET``/``POST`` (201)/``PUT``/``DELETE`` (204)
  ``/alert-rules[/:uid]``;
* contact points: ``GET [?name=]`` with secure settings redacted (``[REDACTED]``), ``POST`` **202** with the
  created object, ``PUT /:uid`` **202** ``{"message":"contactpoint updated"}`` (secure settings omitted or
  redacted keep their stored value), ``DELETE /:uid`` **202** (409 while a policy routes to its name);
* policies: ``GET`` the tree, ``PUT`` **202** ``{"message":"policies updated"}`` (400 for an unknown
  receiver or mute timing), ``DELETE`` **202** back to the default tree;
* mute timings: ``GET``, ``POST`` **201**, ``PUT /:name`` **202**, ``DELETE /:name`` **204** (409 while used);
* ``updated``: the time a rule's content last changed (a group ``PUT`` leaves unchanged rules' time alone);
  annotations, like everything else in a rule, are stored and returned as sent;
* provenance: ``"api"`` unless the request has an ``X-Disable-Provenance`` header (any value), then ``""``;
  a stored non-empty provenance cannot be changed to another (500, as Grafana 9.5 answers that plain
  error). With ``version=9`` the header is honoured only on ``/alert-rules`` POST/PUT, as in 9.5.

Errors are ``{"message": ..., "traceID": ""}``. State is guarded by the emulator's lock (routes run under it).
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from .http import Emulator, Request, Response

BASE = "/api/v1/provisioning"
REDACTED = "[REDACTED]"
SCHEDULER_TICK = 10
NO_DATA_STATES = {"Alerting", "NoData", "OK", "KeepLast"}
EXEC_ERR_STATES = {"Alerting", "Error", "OK", "KeepLast"}
#: Settings Grafana stores encrypted and never returns (per integration type).
SECURE_SETTINGS: dict[str, tuple[str, ...]] = {
    "discord": ("url",),
    "webhook": ("password", "authorization_credentials"),
    "email": (),
}
#: Settings without which Grafana refuses an integration.
REQUIRED_SETTINGS: dict[str, tuple[str, ...]] = {"discord": ("url",), "webhook": ("url",), "email": ("addresses",)}
DEFAULT_CONTACT_POINT = "grafana-default-email"
_UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_DURATION = re.compile(r"^(\d+(ms|y|w|d|h|m|s))+$|^0$")
#: Rule fields that are not its content: a write that changes none of the others leaves ``updated`` alone.
_RULE_BOOKKEEPING = ("id", "updated", "provenance", "_index")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _err(status: int, message: str) -> Response:
    return Response(status, {"message": message, "traceID": ""})


class HttpError(Exception):
    """Raised inside a route to answer ``reply``."""

    def __init__(self, reply: Response) -> None:
        super().__init__(reply.status)
        self.reply = reply


def _default_policy() -> dict[str, Any]:
    return {"receiver": DEFAULT_CONTACT_POINT, "group_by": ["grafana_folder", "alertname"]}


class AlertingRoutes:
    """The alerting state of one emulated Grafana, and its routes."""

    def __init__(self, emulator: Emulator, *, folder_exists: Callable[[str], bool] | None = None, version: int = 11):
        self.emulator = emulator
        self.version = version
        self.folder_exists = folder_exists or (lambda uid: True)
        #: Rules by uid, as stored (``provenance`` included).
        self.rules: dict[str, dict[str, Any]] = {}
        #: Evaluation interval of each (folder uid, group title).
        self.intervals: dict[tuple[str, str], int] = {}
        #: Contact points by uid; ``settings`` hold secure values in clear (tests read them, the API never).
        self.contact_points: dict[str, dict[str, Any]] = {
            "default-email": {
                "uid": "default-email",
                "name": DEFAULT_CONTACT_POINT,
                "type": "email",
                "settings": {"addresses": "<example@email.com>"},
                "disableResolveMessage": False,
                "provenance": "",
            }
        }
        self.policy: dict[str, Any] = _default_policy()
        self.mute_timings: dict[str, dict[str, Any]] = {}
        self._uids = itertools.count(1)
        self._ids = itertools.count(1)
        self._register()

    # --- helpers for tests --------------------------------------------------------------------------

    def group(self, folder_uid: str, title: str) -> list[dict[str, Any]]:
        """The stored rules of one group, in evaluation order."""
        return sorted(
            (r for r in self.rules.values() if r["folderUID"] == folder_uid and r["ruleGroup"] == title),
            key=lambda r: r["_index"],
        )

    # --- routing ------------------------------------------------------------------------------------

    def _register(self) -> None:
        group = rf"{BASE}/folder/(?P<folder>[^/]+)/rule-groups/(?P<group>[^/]+)"
        routes: list[tuple[str, str, Callable[[Request], Response]]] = [
            ("GET", rf"{BASE}/alert-rules", self.list_rules),
            ("POST", rf"{BASE}/alert-rules", self.create_rule),
            ("GET", rf"{BASE}/alert-rules/(?P<uid>[^/]+)", self.get_rule),
            ("PUT", rf"{BASE}/alert-rules/(?P<uid>[^/]+)", self.update_rule),
            ("DELETE", rf"{BASE}/alert-rules/(?P<uid>[^/]+)", self.delete_rule),
            ("GET", group, self.get_group),
            ("PUT", group, self.put_group),
            ("DELETE", group, self.delete_group),
            ("GET", rf"{BASE}/contact-points", self.list_contact_points),
            ("POST", rf"{BASE}/contact-points", self.create_contact_point),
            ("PUT", rf"{BASE}/contact-points/(?P<uid>[^/]+)", self.update_contact_point),
            ("DELETE", rf"{BASE}/contact-points/(?P<uid>[^/]+)", self.delete_contact_point),
            ("GET", rf"{BASE}/policies", self.get_policy),
            ("PUT", rf"{BASE}/policies", self.put_policy),
            ("DELETE", rf"{BASE}/policies", self.reset_policy),
            ("GET", rf"{BASE}/mute-timings", self.list_mute_timings),
            ("POST", rf"{BASE}/mute-timings", self.create_mute_timing),
            ("GET", rf"{BASE}/mute-timings/(?P<name>[^/]+)", self.get_mute_timing),
            ("PUT", rf"{BASE}/mute-timings/(?P<name>[^/]+)", self.update_mute_timing),
            ("DELETE", rf"{BASE}/mute-timings/(?P<name>[^/]+)", self.delete_mute_timing),
        ]
        for method, pattern, handler in routes:
            self.emulator.route(method, pattern, _guarded(handler))

    # --- shared checks ------------------------------------------------------------------------------

    def _provenance(self, request: Request, *, rule_endpoint: bool = False) -> str:
        honoured = rule_endpoint or self.version >= 10
        return "" if honoured and "x-disable-provenance" in request.headers else "api"

    @staticmethod
    def _check_provenance(stored: str, wanted: str) -> None:
        if stored and stored != wanted:
            raise HttpError(_err(500, f"cannot changed provenance from '{stored}' to '{wanted}'"))

    @staticmethod
    def _body(request: Request, kind: type = dict) -> Any:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise HttpError(_err(400, "bad request data"))
        try:
            body = request.json()
        except ValueError:
            raise HttpError(_err(400, "bad request data")) from None
        if not isinstance(body, kind):
            raise HttpError(_err(400, "bad request data"))
        return body

    # --- rules --------------------------------------------------------------------------------------

    def _public_rule(self, rule: dict[str, Any]) -> dict[str, Any]:
        public = {k: copy.deepcopy(v) for k, v in rule.items() if not k.startswith("_")}
        if not public.get("provenance"):
            public.pop("provenance", None)  # omitempty
        return public

    def _validate_rule(self, rule: Any, folder_uid: str, group: str, index: int) -> dict[str, Any]:
        if not isinstance(rule, dict):
            raise HttpError(_err(400, f"invalid alert rule {index}: not an object"))
        title = rule.get("title")
        if not isinstance(title, str) or not 1 <= len(title) <= 190:
            raise HttpError(_err(400, f"invalid alert rule {index}: title must be 1-190 characters"))
        uid = rule.get("uid") or ""
        if uid and not _UID.match(uid):
            raise HttpError(_err(400, f"invalid alert rule '{title}': invalid uid"))
        data = rule.get("data")
        if not isinstance(data, list) or not data:
            raise HttpError(_err(400, f"invalid alert rule '{title}': no queries or expressions are found"))
        ref_ids = []
        for query in data:
            if not isinstance(query, dict) or not query.get("refId") or not query.get("datasourceUid"):
                raise HttpError(_err(400, f"invalid alert rule '{title}': query has no refId or datasourceUid"))
            if not isinstance(query.get("model"), dict):
                raise HttpError(_err(400, f"invalid alert rule '{title}': query model must be an object"))
            ref_ids.append(query["refId"])
        if rule.get("condition") not in ref_ids:
            raise HttpError(
                _err(400, f"invalid alert rule '{title}': condition {rule.get('condition')!r} not in refIds")
            )
        if rule.get("noDataState") not in NO_DATA_STATES or rule.get("execErrState") not in EXEC_ERR_STATES:
            raise HttpError(_err(400, f"invalid alert rule '{title}': unknown noDataState or execErrState"))
        for_ = rule.get("for")
        if not isinstance(for_, str) or not _DURATION.match(for_):
            raise HttpError(_err(400, f"invalid alert rule '{title}': for {for_!r} is not a duration"))
        for key in ("labels", "annotations"):
            values = rule.get(key) or {}
            if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
                raise HttpError(_err(400, f"invalid alert rule '{title}': {key} must map strings to strings"))
        stored = {
            "id": 0,
            "uid": uid,
            "orgID": rule.get("orgID") or 1,
            "folderUID": folder_uid,
            "ruleGroup": group,
            "title": title,
            "condition": rule["condition"],
            "data": copy.deepcopy(data),
            "updated": "",  # set by _store
            "noDataState": rule["noDataState"],
            "execErrState": rule["execErrState"],
            "for": for_,
            "annotations": dict(rule.get("annotations") or {}),
            "labels": dict(rule.get("labels") or {}),
            "isPaused": bool(rule.get("isPaused", False)),
            "_index": index,
        }
        for query in stored["data"]:
            # Grafana fills these defaults into every stored query model, decoding it into a Go
            # map[string]any and encoding it again (AlertQuery.InitDefaults): numbers print as float64s.
            query["model"].setdefault("intervalMs", 1000)
            query["model"].setdefault("maxDataPoints", 43200)
            query["model"] = _as_go_prints(query["model"])
            query.setdefault("queryType", "")
            query.setdefault("relativeTimeRange", {"from": 0, "to": 0})
        return stored

    def list_rules(self, request: Request) -> Response:
        return Response(200, [self._public_rule(r) for r in sorted(self.rules.values(), key=lambda r: r["id"])])

    def get_rule(self, request: Request) -> Response:
        rule = self.rules.get(request.params["uid"])
        return Response(200, self._public_rule(rule)) if rule else Response(404, b"")

    def create_rule(self, request: Request) -> Response:
        body = self._body(request)
        folder, group = body.get("folderUID") or "", body.get("ruleGroup") or ""
        if not folder or not group or not self.folder_exists(folder):
            raise HttpError(_err(400, "invalid alert rule: folder does not exist or ruleGroup is empty"))
        stored = self._validate_rule(body, folder, group, len(self.group(folder, group)))
        if stored["uid"] in self.rules:
            raise HttpError(_err(409, "conflict: a rule with this uid already exists"))
        self._check_title(stored, folder, group)
        self.intervals.setdefault((folder, group), 60)
        self._store(stored, self._provenance(request, rule_endpoint=True))
        return Response(201, self._public_rule(stored))

    def update_rule(self, request: Request) -> Response:
        current = self.rules.get(request.params["uid"])
        if current is None:
            return Response(404, b"")
        body = self._body(request)
        stored = self._validate_rule(
            {**body, "uid": current["uid"]}, current["folderUID"], current["ruleGroup"], current["_index"]
        )
        provenance = self._provenance(request, rule_endpoint=True)
        self._check_provenance(current["provenance"], provenance)
        self._store(stored, provenance, current)
        return Response(200, self._public_rule(stored))

    def delete_rule(self, request: Request) -> Response:
        current = self.rules.get(request.params["uid"])
        if current is not None:
            self._check_provenance(current["provenance"], self._provenance(request, rule_endpoint=True))
            del self.rules[current["uid"]]
        return Response(204, b"")

    def _store(self, stored: dict[str, Any], provenance: str, previous: dict[str, Any] | None = None) -> None:
        stored["uid"] = stored["uid"] or f"r{next(self._uids):08d}"
        stored["id"] = previous["id"] if previous else next(self._ids)
        unchanged = previous is not None and _content(previous) == _content(stored)
        stored["updated"] = previous["updated"] if unchanged and previous else _now()
        stored["provenance"] = provenance
        self.rules[stored["uid"]] = stored

    def _check_title(self, stored: dict[str, Any], folder: str, group: str) -> None:
        for other in self.rules.values():
            same_title = other["title"] == stored["title"] and other["uid"] != stored["uid"]
            if same_title and other["folderUID"] == folder and other["ruleGroup"] != group:
                raise HttpError(_err(409, f"a rule with title '{stored['title']}' already exists in the folder"))

    # --- rule groups --------------------------------------------------------------------------------

    def get_group(self, request: Request) -> Response:
        folder, group = request.params["folder"], request.params["group"]
        rules = self.group(folder, group)
        if not rules:
            return _err(404, "rule group not found")
        body = {"title": group, "folderUid": folder, "interval": self.intervals[(folder, group)]}
        return Response(200, {**body, "rules": [self._public_rule(r) for r in rules]})

    def put_group(self, request: Request) -> Response:
        folder, group = request.params["folder"], request.params["group"]
        body = self._body(request)
        if not self.folder_exists(folder):
            raise HttpError(_err(400, f"folder {folder} does not exist"))
        interval = body.get("interval")
        if not isinstance(interval, int) or interval <= 0 or interval % SCHEDULER_TICK:
            raise HttpError(
                _err(
                    400,
                    f"invalid rule group: interval ({interval}) should be non-zero and divided exactly by "
                    f"scheduler interval: {SCHEDULER_TICK}s",
                )
            )
        rules = body.get("rules")
        if not isinstance(rules, list):
            raise HttpError(_err(400, "bad request data"))
        stored = [self._validate_rule(rule, folder, group, index) for index, rule in enumerate(rules)]
        titles = [r["title"] for r in stored]
        if len(set(titles)) != len(titles):
            raise HttpError(_err(400, "invalid rule group: rule titles must be unique within a group"))
        provenance = self._provenance(request)
        existing = {r["uid"]: r for r in self.group(folder, group)}
        for rule in stored:
            other = self.rules.get(rule["uid"]) if rule["uid"] else None
            if other is not None and other["folderUID"] != folder:
                raise HttpError(_err(409, f"rule '{rule['uid']}' belongs to another folder"))
            self._check_title(rule, folder, group)
            if other is not None:
                self._check_provenance(other["provenance"], provenance)
        for uid, old in existing.items():
            if uid not in {r["uid"] for r in stored}:
                self._check_provenance(old["provenance"], provenance)
        for uid in existing:
            del self.rules[uid]
        for rule in stored:
            self._store(rule, provenance, existing.get(rule["uid"]))
        if stored:
            self.intervals[(folder, group)] = interval
        else:
            self.intervals.pop((folder, group), None)
        return Response(200, body)

    def delete_group(self, request: Request) -> Response:
        folder, group = request.params["folder"], request.params["group"]
        rules = self.group(folder, group)
        if not rules:
            return _err(404, "rule group not found")
        provenance = self._provenance(request)
        for rule in rules:
            self._check_provenance(rule["provenance"], provenance)
        for rule in rules:
            del self.rules[rule["uid"]]
        self.intervals.pop((folder, group), None)
        return Response(204, b"")

    # --- contact points -----------------------------------------------------------------------------

    def _public_contact_point(self, point: dict[str, Any]) -> dict[str, Any]:
        public = copy.deepcopy(point)
        for key in SECURE_SETTINGS.get(point["type"], ()):
            if public["settings"].get(key):
                public["settings"][key] = REDACTED
        if not public.get("provenance"):
            public.pop("provenance", None)
        return public

    def _validate_contact_point(self, body: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
        kind, name, settings = body.get("type"), body.get("name"), body.get("settings")
        if kind not in REQUIRED_SETTINGS:
            raise HttpError(_err(400, f"invalid contact point: unknown type {kind!r}"))
        if not isinstance(name, str) or not name:
            raise HttpError(_err(400, "invalid contact point: name must not be empty"))
        if not isinstance(settings, dict):
            raise HttpError(_err(400, "invalid contact point: settings must be an object"))
        settings = dict(settings)
        for key in SECURE_SETTINGS[kind]:
            # An omitted or redacted secure setting keeps its stored value.
            if settings.get(key) in (None, REDACTED) and previous is not None and key in previous["settings"]:
                settings[key] = previous["settings"][key]
        for key in REQUIRED_SETTINGS[kind]:
            if not settings.get(key) or settings.get(key) == REDACTED:
                raise HttpError(_err(400, f"invalid contact point: could not find {key} property in settings"))
        return {
            "uid": body.get("uid") or (previous or {}).get("uid") or f"c{next(self._uids):08d}",
            "name": name,
            "type": kind,
            "settings": settings,
            "disableResolveMessage": bool(body.get("disableResolveMessage", False)),
        }

    def list_contact_points(self, request: Request) -> Response:
        name = request.arg("name")
        points = [p for p in self.contact_points.values() if name is None or p["name"] == name]
        return Response(200, [self._public_contact_point(p) for p in points])

    def create_contact_point(self, request: Request) -> Response:
        point = self._validate_contact_point(self._body(request), None)
        if not _UID.match(point["uid"]):
            raise HttpError(_err(400, "invalid contact point: invalid uid"))
        if point["uid"] in self.contact_points:
            raise HttpError(_err(409, f"contact point with uid {point['uid']} already exists"))
        point["provenance"] = self._provenance(request)
        self.contact_points[point["uid"]] = point
        return Response(202, self._public_contact_point(point))

    def update_contact_point(self, request: Request) -> Response:
        previous = self.contact_points.get(request.params["uid"])
        if previous is None:
            return _err(404, "contact point not found")
        point = self._validate_contact_point({**self._body(request), "uid": previous["uid"]}, previous)
        provenance = self._provenance(request)
        self._check_provenance(previous["provenance"], provenance)
        if (
            point["name"] != previous["name"]
            and self._referenced(previous["name"])
            and not self._named(previous["name"], besides=previous["uid"])
        ):
            raise HttpError(_err(409, f"contact point '{previous['name']}' is referenced by the notification policy"))
        point["provenance"] = provenance
        self.contact_points[point["uid"]] = point
        return Response(202, {"message": "contactpoint updated"})

    def delete_contact_point(self, request: Request) -> Response:
        point = self.contact_points.get(request.params["uid"])
        if point is None:
            return _err(404, "contact point not found")
        self._check_provenance(point["provenance"], self._provenance(request))
        if self._referenced(point["name"]) and not self._named(point["name"], besides=point["uid"]):
            raise HttpError(_err(409, f"contact point '{point['name']}' is referenced by the notification policy"))
        del self.contact_points[point["uid"]]
        return Response(202, {"message": "contactpoint deleted"})

    def _named(self, name: str, besides: str) -> bool:
        return any(p["name"] == name and p["uid"] != besides for p in self.contact_points.values())

    def _referenced(self, name: str) -> bool:
        return any(route.get("receiver") == name for route in _routes(self.policy))

    # --- policies -----------------------------------------------------------------------------------

    def get_policy(self, request: Request) -> Response:
        return Response(200, copy.deepcopy(self.policy))

    def put_policy(self, request: Request) -> Response:
        body = self._body(request)
        if not body.get("receiver"):
            raise HttpError(_err(400, "invalid object specification: root route must specify a default receiver"))
        names = {p["name"] for p in self.contact_points.values()}
        for route in _routes(body):
            receiver = route.get("receiver")
            if receiver and receiver not in names:
                raise HttpError(_err(400, f"invalid object specification: receiver '{receiver}' does not exist"))
            for name in route.get("mute_time_intervals") or []:
                if name not in self.mute_timings:
                    raise HttpError(
                        _err(400, f"invalid object specification: mute time interval '{name}' does not exist")
                    )
            for key in ("group_wait", "group_interval", "repeat_interval"):
                if key in route and (not isinstance(route[key], str) or not _DURATION.match(route[key])):
                    raise HttpError(_err(400, f"invalid object specification: {key} {route[key]!r} is not a duration"))
        provenance = self._provenance(request)
        self._check_provenance(self.policy.get("provenance", ""), provenance)
        tree = copy.deepcopy(body)
        tree.pop("provenance", None)
        if provenance:
            tree["provenance"] = provenance
        self.policy = tree
        return Response(202, {"message": "policies updated"})

    def reset_policy(self, request: Request) -> Response:
        self.policy = _default_policy()
        return Response(202, {"message": "policies resetted"})

    # --- mute timings -------------------------------------------------------------------------------

    def _public_mute_timing(self, timing: dict[str, Any]) -> dict[str, Any]:
        public = copy.deepcopy(timing)
        if not public.get("provenance"):
            public.pop("provenance", None)
        return public

    def _validate_mute_timing(self, body: dict[str, Any], name: str | None = None) -> dict[str, Any]:
        name = name or body.get("name")
        intervals = body.get("time_intervals")
        if not isinstance(name, str) or not name or not isinstance(intervals, list):
            raise HttpError(_err(400, "invalid mute timing: name and time_intervals are required"))
        return {"name": name, "time_intervals": copy.deepcopy(intervals)}

    def list_mute_timings(self, request: Request) -> Response:
        return Response(200, [self._public_mute_timing(t) for t in self.mute_timings.values()])

    def get_mute_timing(self, request: Request) -> Response:
        timing = self.mute_timings.get(request.params["name"])
        return Response(200, self._public_mute_timing(timing)) if timing else _err(404, "mute timing not found")

    def create_mute_timing(self, request: Request) -> Response:
        timing = self._validate_mute_timing(self._body(request))
        if timing["name"] in self.mute_timings:
            raise HttpError(_err(409, f"a mute timing with name '{timing['name']}' already exists"))
        timing["provenance"] = self._provenance(request)
        self.mute_timings[timing["name"]] = timing
        return Response(201, self._public_mute_timing(timing))

    def update_mute_timing(self, request: Request) -> Response:
        previous = self.mute_timings.get(request.params["name"])
        if previous is None:
            return _err(404, "mute timing not found")
        timing = self._validate_mute_timing(self._body(request), previous["name"])
        provenance = self._provenance(request)
        self._check_provenance(previous.get("provenance", ""), provenance)
        timing["provenance"] = provenance
        self.mute_timings[timing["name"]] = timing
        return Response(202, self._public_mute_timing(timing))

    def delete_mute_timing(self, request: Request) -> Response:
        name = request.params["name"]
        if name in self.mute_timings:
            if any(name in (route.get("mute_time_intervals") or []) for route in _routes(self.policy)):
                raise HttpError(_err(409, f"mute timing '{name}' is used by a notification policy"))
            del self.mute_timings[name]
        return Response(204, b"")


def _content(rule: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rule.items() if k not in _RULE_BOOKKEEPING}


def _routes(tree: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield tree
    for child in tree.get("routes") or []:
        if isinstance(child, dict):
            yield from _routes(child)


def _guarded(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
    def route(request: Request) -> Response:
        # Path parameters arrive percent-encoded (group and mute timing names may hold spaces).
        params = {key: unquote(value) for key, value in request.params.items()}
        request = Request(request.method, request.path, request.query, request.headers, request.raw_body, params)
        try:
            return handler(request)
        except HttpError as error:
            return error.reply

    return route


def mount_alerting(
    emulator: Emulator, *, folder_exists: Callable[[str], bool] | None = None, version: int = 11
) -> AlertingRoutes:
    """Register the alerting provisioning routes on ``emulator``; returns their state for assertions."""
    return AlertingRoutes(emulator, folder_exists=folder_exists, version=version)


def _as_go_prints(value: Any) -> Any:
    """A decoded JSON value as Go's ``encoding/json`` encodes it back from ``any``: whole numbers without
    a fraction (a float64 5.0 prints as ``5``)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _as_go_prints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_go_prints(item) for item in value]
    return value
