"""Where the strings of a rendered body were written, when they come from their own file.

A query read from a ``.sql`` file is a :class:`~pydis_dash.model.SourceText`: it keeps its origin
through rendering. Once a definition is rendered, :func:`with_text_origins` records the JSON pointer of
each such string in ``Resource.text_origins`` (and makes it a plain ``str`` again), so validation
reports an error at an offset of the query as ``file.sql:line:column`` (GitHub annotates that line of
the pull request).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydis_dash.definition import project_relative
from pydis_dash.model import Resource, SourceLocation, SourceText, json_pointer
from pydis_dash.render.plain import JSON_SCALARS


def _source_texts(node: Any, path: list[str | int]) -> Iterator[tuple[str, SourceText]]:
    """Every SourceText under ``node`` (whose place is ``path``) with its JSON pointer. The pointer is
    built only for the strings found: a body has thousands of values and rarely a SourceText."""
    if isinstance(node, SourceText):
        yield json_pointer(*path), node
        return
    if type(node) is dict or isinstance(node, Mapping):
        children: Iterable[tuple[str | int, Any]] = ((str(key), value) for key, value in node.items())
    elif isinstance(node, list | tuple):
        children = enumerate(node)
    else:
        return
    for key, value in children:
        if type(value) not in JSON_SCALARS:  # exact types: a SourceText is not skipped
            path.append(key)
            yield from _source_texts(value, path)
            path.pop()


def _plain(node: Any) -> Any:
    """``node`` with every SourceText as a plain ``str`` (containers rebuilt, everything else kept)."""
    if isinstance(node, SourceText):
        return str(node)
    if isinstance(node, Mapping):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return type(node)(_plain(value) for value in node)
    return node


def with_text_origins(resource: Resource, project_root: Path) -> Resource:
    """``resource`` with ``text_origins`` holding every file-read string of its body (paths relative to
    the project root), and the body holding plain strings again (later stages compare types: a JSON
    value is a ``str``); the resource itself when it has none."""
    if not SourceText.made:  # no file-read string exists in this process: none to look for
        return resource
    found: dict[str, SourceLocation] = {
        pointer: project_relative(text.origin, project_root) for pointer, text in _source_texts(resource.body, [])
    }
    if not found:
        return resource
    return replace(resource, body=_plain(resource.body), text_origins={**resource.text_origins, **found})
