"""``diff --format markdown``: the plan as one pull-request comment.

A table of every change (creates, updates, deletes, with drift and blocked flags), then one
collapsible section per changed resource holding its unified diff. Read-only, like every plan format.
"""

from __future__ import annotations

from pydis_dash.plan import Action, Change, Plan

_HEADINGS = {Action.CREATE: "create", Action.UPDATE: "update", Action.DELETE: "delete", Action.ADOPT: "adopt"}


def format_markdown(plan: Plan) -> str:
    """GitHub-flavoured Markdown for ``plan``; stable for the same plan (golden-tested)."""
    pending = [change for change in plan.changes if change.action in _HEADINGS]
    lines = [f"### pydis-dash plan for `{plan.environment}`", "", f"`{plan.summary()}`", ""]
    if plan.servers:  # the version of each server and the API paths picked for it
        lines += [f"Server: {_escape(server.summary)}  " for server in plan.servers] + [""]
    if not pending:
        lines.append("No changes: the environment matches the code.")
    else:
        lines += ["| | kind | uid | title | note |", "| --- | --- | --- | --- | --- |"]
        lines += [_row(change) for change in pending]
        lines.append("")
        for change in pending:
            lines += _details(change) if change.shows_content else []
    if plan.orphans:
        lines += ["", "Managed but gone from code (`deploy --prune` deletes them):", ""]
        lines += [f"- `{item.ref}` {_escape(item.title)}" for item in plan.orphans]
    if plan.unmanaged:
        lines += ["", f"{len(plan.unmanaged)} unmanaged resource(s) on the instance are never touched."]
    return "\n".join(lines).rstrip() + "\n"


def _row(change: Change) -> str:
    notes = []
    if change.drift:
        notes.append(f"drift: {change.drift.describe()}")
    if change.blocked:
        notes.append(f"blocked: {change.blocked}")
    if change.action == Action.ADOPT:
        notes.extend(change.notes)
    symbol = change.action.symbol.replace("-", "&minus;")
    return (
        f"| {symbol} {_HEADINGS[change.action]} | {change.ref.kind.value} | `{change.ref.uid}` "
        f"| {_escape(change.title)} | {_escape('; '.join(notes))} |"
    )


def _details(change: Change) -> list[str]:
    diff = change.diff_lines()
    return [
        "<details>",
        f"<summary>{change.action.symbol} <code>{change.ref}</code> ({len(diff)} diff lines)</summary>",
        "",
        "```diff",
        *diff,
        "```",
        "",
        "</details>",
        "",
    ]


def _escape(text: str) -> str:
    """Keep table cells intact: pipes and newlines would break the row."""
    return text.replace("|", "\\|").replace("\n", " ")
