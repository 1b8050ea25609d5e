"""The text form of a :class:`~pydis_dash.plan.Plan` (``diff``, ``deploy``): coloured for a terminal.

Read-only: it never changes the plan; ``click.echo`` strips the colours when not writing to a terminal.
"""

from __future__ import annotations

from typing import Any

import click

from pydis_dash.plan import Action, Change, Plan, canonical_json

#: A new resource's JSON is shown whole up to this many lines. A longer one (a new dashboard: ~1,600
#: lines) is summarised to its size and how to see it: a reviewer of a plan creating 500 dashboards
#: reads what is created, not 800,000 lines of ``+``, and the plan prints in a blink.
CREATE_SHOWN_LINES = 40

_COLOURS = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.DELETE: "red",
    Action.UNCHANGED: None,
    Action.ADOPT: "cyan",
}


def format_text(plan: Plan, *, verbose: bool = False) -> str:
    """The human plan: a coloured unified diff per changed resource, then the untouched resources
    and a summary line. ANSI colours are stripped by ``click.echo`` when not writing to a terminal.

    A new resource longer than :data:`CREATE_SHOWN_LINES` lines of JSON is summarised unless
    ``verbose`` (which also lists unchanged resources)."""
    out: list[str] = [click.style(f"Environment: {plan.environment}", bold=True)]
    out.extend(f"Server: {server.summary}" for server in plan.servers)
    out.append("")
    for change in plan.changes:
        if change.action == Action.UNCHANGED and not verbose:
            continue
        colour = _COLOURS[change.action]
        out.append(click.style(f"{change.action.symbol} {change.ref}  {change.title!r}", fg=colour, bold=True))
        if change.drift:
            out.append(click.style(f"  ! drift: {change.drift.describe()}", fg="magenta", bold=True))
        if change.blocked:
            out.append(click.style(f"  ! blocked: {change.blocked}", fg="magenta", bold=True))
        out.extend(f"  note: {note}" for note in change.notes)
        out.extend(_diff_text(change, verbose))
        out.append("")
    if plan.orphans:
        out.append(click.style("Managed but gone from code (deploy --prune deletes them):", bold=True))
        out.extend(f"  {item.ref}  {item.title!r}" for item in plan.orphans)
        out.append("")
    if plan.unmanaged:
        out.append(click.style("Unmanaged (never modified or deleted by pydis-dash):", bold=True))
        out.extend(f"  {item.ref}  {item.title!r}" for item in plan.unmanaged)
        out.append("")
    out.append(click.style("Plan: ", bold=True) + plan.summary())
    return "\n".join(out)


def _diff_text(change: Change, verbose: bool) -> list[str]:
    """The coloured diff lines shown under ``change`` (computed here, only for what is printed)."""
    if change.action == Action.CREATE and change.after is not None and not verbose:
        size = canonical_json(change.after).count("\n") + 1
        if size > CREATE_SHOWN_LINES:
            return [
                f"  new: {size:,} lines of JSON, not shown (`pydis-dash render {change.ref}` prints the code's "
                "resource; `diff -v` or `--format json` shows them)"
            ]
    return ["  " + _colour_diff_line(line) for line in change.diff_lines()]


def _style_parts(**style: Any) -> tuple[str, str]:
    """The ANSI codes ``click.style`` puts before and after a text, worked out once: a plan of 500
    new dashboards styles 800,000 diff lines."""
    before, after = click.style("\0", **style).split("\0")
    return before, after


_HEADER = _style_parts(bold=True)
_HUNK = _style_parts(fg="cyan")
_ADDED = _style_parts(fg="green")
_REMOVED = _style_parts(fg="red")


def _colour_diff_line(line: str) -> str:
    first = line[:1]
    if first == "+" or first == "-":
        before, after = _HEADER if line.startswith(("+++", "---")) else _ADDED if first == "+" else _REMOVED
    elif line.startswith("@@"):
        before, after = _HUNK
    else:
        return line
    return before + line + after
