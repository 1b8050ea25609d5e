"""Alert rule groups: ``/api/v1/provisioning/folder/:folderUid/rule-groups/:group`` (the whole group at once).

Live state: one ``GET /api/v1/provisioning/alert-rules`` lists every rule; rules are grouped by folder and
group. Desired groups that exist are read with ``GET .../rule-groups/:group`` for their interval.

Ownership: a group is managed when every rule in it is pydis-dash's: its uid has pydis-dash's prefix (see
:mod:`pydis_dash.conventions.alerting`), or it carries the digest annotation pydis-dash writes on every rule
it deploys (a rule made in the UI and adopted keeps its uid: ``live_uid=``). A rule added to a managed group
in the UI makes it unmanaged, so a deploy (which replaces the group) refuses it without ``--force``; one
copied in the UI from a managed rule carries a digest that no longer matches it (its uid differs), which is
drift, refused likewise. An unmanaged group equal to the code but for the digests (what ``pydis-dash
import`` writes) is adopted: the deploy writes the digests and nothing else. Deleting a group deletes its
rules one by one (``DELETE /alert-rules/:uid`` exists in every supported version).

Drift: every rule is written with the digest of its content and its group's interval (see
:mod:`pydis_dash.providers.grafana.alerting`); a managed rule whose content no longer matches it was
edited outside pydis-dash, and the group is reported as drifted with the rule's ``updated`` time (the
provisioning API does not say who). A rule without a digest (deployed before digests) proves nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydis_dash.conventions.alerting import is_managed_uid, rule_group_uid
from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import Adoption, Drift, LiveResource, PlanOptions
from pydis_dash.providers.grafana.alerting import (
    BASE,
    RULE_DIGEST_ANNOTATION,
    ProvisioningHandler,
    normalize_rule_group,
    rule_digest,
    segment,
    stored_rule_digest,
    with_rule_digests,
)
from pydis_dash.providers.grafana.client import NotFound
from pydis_dash.render.canonical import canonical_json

if TYPE_CHECKING:
    from pydis_dash.apply import ApplyContext
    from pydis_dash.plan import Change


class RuleGroupHandler(ProvisioningHandler):
    """``grafana-rule-group`` resources; body is Grafana's ``AlertRuleGroup``."""

    kind = Kind.GRAFANA_RULE_GROUP
    stage = 3

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        """Every group (from the rule list); desired ones read in full."""
        groups: dict[str, list[Mapping[str, Any]]] = {}
        for rule in self.ctx.client.get_list(f"{BASE}/alert-rules"):
            folder, group = str(rule.get("folderUID") or ""), str(rule.get("ruleGroup") or "")
            groups.setdefault(rule_group_uid(folder, group), []).append(rule)
        live = {uid: _live(uid, rules) for uid, rules in groups.items()}
        wanted = [r for r in desired if r.ref.uid in live]
        for found in self.ctx.parallel(self._read, wanted):
            if found is not None:
                live[found.ref.uid] = found
        return live

    def _read(self, resource: Resource) -> LiveResource | None:
        folder, title = str(resource.body["folderUid"]), str(resource.body["title"])
        try:
            body = self.ctx.client.get_object(f"{BASE}/folder/{segment(folder)}/rule-groups/{segment(title)}")
        except NotFound:  # deleted between the list and this read
            return None
        return _live(resource.ref.uid, body.get("rules") or [], body)

    def desired_state(self, resource: Resource) -> Mapping[str, Any]:
        """The group as Grafana will return it."""
        return normalize_rule_group(resource.body)

    def adoption(
        self, resource: Resource, desired: Mapping[str, Any], live: Mapping[str, LiveResource]
    ) -> Adoption | None:
        """The unmanaged group with this folder and name whose rules (uids included) equal the code's: the
        digests pydis-dash writes onto its rules are all a deploy changes (they are not compared)."""
        current = live.get(resource.ref.uid)
        if current is None or current.managed or canonical_json(current.state) != canonical_json(desired):
            return None
        return Adoption(current, f"the annotation {RULE_DIGEST_ANNOTATION!r} on each rule")

    def drift(self, resource: Resource, live: LiveResource) -> Drift | None:
        """Drift when a rule's content no longer matches the digest pydis-dash wrote onto it."""
        return edit_drift(live.detail.get("editedRules", ()))

    def create(self, change: Change, ctx: ApplyContext) -> str | None:
        """PUT the whole group (Grafana creates it)."""
        return self._put(change)

    def update(self, change: Change, ctx: ApplyContext) -> str | None:
        """PUT the whole group: rules absent from it are deleted, the others created or updated."""
        return self._put(change)

    def _put(self, change: Change) -> str | None:
        body = change.desired().body
        path = f"{BASE}/folder/{segment(str(body['folderUid']))}/rule-groups/{segment(str(body['title']))}"
        self.write("PUT", path, with_rule_digests(body))
        before = {rule.get("uid") for rule in (change.before or {}).get("rules", [])}
        after = {rule.get("uid") for rule in body.get("rules", [])}
        notes = [f"{len(after - before)} rule(s) added"] if after - before else []
        notes += [f"{len(before - after)} rule(s) removed"] if before - after else []
        return ", ".join(notes) or None

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        """Delete each rule of the group; rules already gone count as done."""
        assert change.live is not None
        for uid in change.live.detail.get("ruleUids", ()):
            self.delete_path(f"{BASE}/alert-rules/{segment(uid)}")
        return None


def edit_drift(edited: Sequence[tuple[str, str | None]]) -> Drift | None:
    """The drift of a group whose rules ``(title, updated)`` were edited outside pydis-dash, or None.

    ``when`` is the latest ``updated`` among them; the titles go into the reason (a group holds several).
    """
    if not edited:
        return None
    titles = ", ".join(repr(title) for title, _ in edited)
    times = [updated for _, updated in edited if updated]
    noun = "rule" if len(edited) == 1 else "rules"
    return Drift(f"changed outside pydis-dash ({noun} {titles})", when=max(times, key=_instant) if times else None)


def _instant(timestamp: str) -> datetime:
    """An RFC 3339 ``updated`` as a comparable instant (offsets and fractions vary); unparsable sorts first."""
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _edited_rules(rules: Sequence[Mapping[str, Any]], interval: Any) -> tuple[tuple[str, str | None], ...]:
    """``(title, updated)`` of the rules whose content differs from the digest pydis-dash wrote onto them (or
    onto the rule they were copied from)."""
    edited = []
    for rule in rules:
        stored = stored_rule_digest(rule)
        if stored is None:
            continue
        if rule_digest(rule, interval) != stored:
            updated = rule.get("updated")
            edited.append((str(rule.get("title") or rule.get("uid")), str(updated) if updated else None))
    return tuple(edited)


def _is_ours(rule: Mapping[str, Any]) -> bool:
    """Whether pydis-dash deployed ``rule``: a prefixed uid, or the digest it writes on every rule."""
    return is_managed_uid(str(rule.get("uid") or "")) or stored_rule_digest(rule) is not None


def _live(uid: str, rules: Sequence[Mapping[str, Any]], group: Mapping[str, Any] | None = None) -> LiveResource:
    first = rules[0] if rules else {}
    folder = str((group or {}).get("folderUid") or first.get("folderUID") or "")
    title = str((group or {}).get("title") or first.get("ruleGroup") or "")
    interval = (group or {}).get("interval")
    body = {"title": title, "folderUid": folder, "interval": interval, "rules": list(rules)}
    uids = [str(rule.get("uid") or "") for rule in rules]
    detail: dict[str, Any] = {"ruleUids": tuple(uids)}
    if group is not None:
        # Only a full read has the interval the digests cover (the rule list does not return it).
        detail["editedRules"] = _edited_rules(rules, interval)
    return LiveResource(
        ref=Ref(Kind.GRAFANA_RULE_GROUP, uid),
        title=title,
        state=normalize_rule_group(body),
        managed=bool(rules) and all(_is_ours(rule) for rule in rules),
        live_id=f"{folder}/{title}",
        container=folder or None,
        detail=detail,
    )
