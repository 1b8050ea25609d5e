"""A Metabase saved question (a native SQL card) defined in Python.

A :class:`Question` renders to one ``metabase-question`` resource whose body is the card JSON
``POST /api/card`` accepts (legacy native shape), plus one ``metabase-collection`` resource for every
prefix of its collection path. Two things are left for deploy to fill in, because only the live instance
knows them: the database id (the body holds the database *name*) and the field ids of field filters (the
tag's ``dimension`` holds ``table.column``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydis_dash.definition import Definition, RenderContext, SqlFileError, names_sql_file, read_sql_file
from pydis_dash.errors import DefinitionError
from pydis_dash.folders import split_path
from pydis_dash.metabase.marker import KEY_PATTERN, with_marker
from pydis_dash.metabase.template import TemplateSyntaxError, tag_uses
from pydis_dash.metabase.variables import Variable
from pydis_dash.model import Kind, Ref, Resource, SourceLocation, json_pointer

# Metabase's visualisation types for a card's ``display`` (frontend/src/metabase/visualizations).
DISPLAYS = frozenset(
    {
        "table",
        "line",
        "bar",
        "area",
        "row",
        "combo",
        "pie",
        "scalar",
        "smartscalar",
        "progress",
        "gauge",
        "funnel",
        "scatter",
        "waterfall",
        "pivot",
        "map",
        "object",
        "sankey",
    }
)

# Where the pydis-dash-only hints live in a rendered body; the provider strips this key before sending.
HINTS = "pydis-dash"
QUERY_POINTER = json_pointer("dataset_query", "native", "query")


class Question(Definition):
    """A saved SQL question staff open in Metabase.

    ``key`` is the stable identity (lowercase, ``-``/``_``/``.``): renaming the question or moving it to
    another collection keeps the same card as long as the key stays. ``collection`` is a ``/``-separated
    path of collection names (``None`` for the root collection). ``database`` names the data source
    whose ``metabase_database`` it is (uid or name), or the Metabase database name directly. ``sql`` is
    either the query itself or the name of a ``.sql`` file beside the definition. Every ``{{variable}}``
    in the SQL must be declared in ``variables`` and every declared variable must be used.
    """

    def __init__(
        self,
        key: str,
        name: str,
        collection: str | None,
        database: str,
        sql: str,
        description: str | None = None,
        variables: Sequence[Variable] = (),
        display: str = "table",
        visualization_settings: Mapping[str, Any] | None = None,
    ) -> None:
        self.key = key
        self.name = name
        self.collection = collection
        self.database = database
        self.sql = sql
        self.description = description
        self.variables = tuple(variables)
        self.display = display
        self.visualization_settings = dict(visualization_settings or {})
        self._check()

    @property
    def identity(self) -> str:
        """``question 'key'`` for error messages."""
        return f"question {self.key!r}"

    @property
    def collection_path(self) -> tuple[str, ...]:
        """The collection path split into names; empty for the root collection."""
        return tuple(split_path(self.collection)) if self.collection else ()

    def _fail(self, message: str, location: SourceLocation | None = None) -> DefinitionError:
        return DefinitionError(message, location or self.defined_at, self.identity)

    def _check(self) -> None:
        """Reject what can be rejected before rendering, so the error points at the constructor call."""
        if not isinstance(self.key, str) or not KEY_PATTERN.fullmatch(self.key):
            raise DefinitionError(
                f"key {self.key!r} must be lowercase letters, digits, '-', '_' or '.' (at most 100)",
                self.defined_at,
                "question",
            )
        if not isinstance(self.name, str) or not self.name.strip():
            raise self._fail("name must be a non-empty string")
        if self.collection is not None and not _is_collection_path(self.collection):
            raise self._fail(f"collection {self.collection!r} must be names separated by '/' (or None)")
        if not isinstance(self.database, str) or not self.database.strip():
            raise self._fail("database must name a data source (uid or name) or a Metabase database, e.g. 'Analytics'")
        if not isinstance(self.sql, str) or not self.sql.strip():
            raise self._fail("sql must be a query or the name of a .sql file beside the definition")
        if self.display not in DISPLAYS:
            raise self._fail(f"unknown display {self.display!r}; one of {', '.join(sorted(DISPLAYS))}")
        if self.description is not None and not isinstance(self.description, str):
            raise self._fail("description must be a string")
        names = [variable.name for variable in self.variables]
        for variable in self.variables:
            if not isinstance(variable, Variable):
                raise self._fail(f"variables must be TextVariable, NumberVariable, ...; got {variable!r}")
            if names.count(variable.name) > 1:
                raise self._fail(f"variable {variable.name!r} is declared twice")

    @property
    def sql_is_file(self) -> bool:
        """True when ``sql`` names a ``.sql`` file rather than holding the query."""
        return names_sql_file(self.sql)

    def _load_sql(self, ctx: RenderContext) -> tuple[str, SourceLocation]:
        """The query text and where it was written (the ``.sql`` file, or the definition)."""
        if not self.sql_is_file:
            return self.sql.strip(), ctx.relative(self.defined_at)
        try:
            text = read_sql_file(self.sql, ctx.definition_dir)
        except SqlFileError as error:
            # Worded around the file ("SQL file 'x.sql' not found ...") since the question names it.
            message = (
                f"SQL file {error.name!r} {error.reason}" if error.reason == SqlFileError.NOT_FOUND else str(error)
            )
            raise self._fail(message) from None
        return text, ctx.relative(SourceLocation(ctx.definition_dir / self.sql.strip(), 1))

    def _check_variables(self, sql: str, sql_location: SourceLocation) -> None:
        """Every ``{{variable}}`` used is declared and every declared variable is used."""
        try:
            uses = tag_uses(sql)
        except TemplateSyntaxError as error:
            raise self._fail(str(error), sql_location) from None
        declared = {variable.name for variable in self.variables}
        for use in uses:
            if use.name not in declared:
                raise self._fail(
                    f"{{{{{use.name}}}}} is used in the SQL (line {use.line}) but not declared; add e.g. "
                    f"TextVariable({use.name!r}, ...) to variables",
                    sql_location,
                )
        used = {use.name for use in uses}
        for variable in self.variables:
            if variable.name not in used:
                raise self._fail(
                    f"variable {variable.name!r} is declared but never used as {{{{{variable.name}}}}} in the SQL"
                )

    def render(self, ctx: RenderContext) -> list[Resource]:
        """The question's card and the collections holding it (outermost first)."""
        sql, sql_location = self._load_sql(ctx)
        self._check_variables(sql, sql_location)
        source = ctx.relative(self.defined_at)
        tags = {variable.name: variable.tag(self.key) for variable in self.variables}
        database, datasource_uid = ctx.metabase_database(self.database) or (self.database, None)
        hints: dict[str, Any] = {"key": self.key, "database": database}
        if datasource_uid:
            hints["datasource_uid"] = datasource_uid
        body: dict[str, Any] = {
            "name": self.name.strip(),
            "type": "question",
            "description": with_marker(self.description, self.key),
            "display": self.display,
            "visualization_settings": self.visualization_settings,
            "dataset_query": {
                "type": "native",
                "database": database,
                "native": {"query": sql, "template-tags": tags},
            },
            "parameters": [variable.parameter(self.key) for variable in self.variables],
            HINTS: hints,
        }
        collections = collection_resources(self.collection_path, source)
        question = Resource(
            ref=Ref(Kind.METABASE_QUESTION, self.key),
            title=self.name.strip(),
            body=body,
            source=source,
            container="/".join(self.collection_path) or None,
            anchors={QUERY_POINTER: sql_location},
            depends_on=(collections[-1].ref,) if collections else (),
        )
        return [*collections, question]


def _is_collection_path(collection: object) -> bool:
    """Names separated by ``/``, none blank (``""`` is the root collection, like ``None``)."""
    if not isinstance(collection, str):
        return False
    return not collection or len(split_path(collection)) == collection.count("/") + 1


def collection_resources(path: Sequence[str], source: SourceLocation) -> list[Resource]:
    """One ``metabase-collection`` resource per prefix of ``path``, parents first.

    The uid is the full path (``Moderation/Anti-spam``); two questions in one collection render equal
    collection resources, which the renderer merges.
    """
    resources = []
    for depth in range(1, len(path) + 1):
        parent = "/".join(path[: depth - 1]) or None
        uid = "/".join(path[:depth])
        resources.append(
            Resource(
                ref=Ref(Kind.METABASE_COLLECTION, uid),
                title=path[depth - 1],
                body={"name": path[depth - 1]},
                source=source,
                container=parent,
                depends_on=(Ref(Kind.METABASE_COLLECTION, parent),) if parent else (),
            )
        )
    return resources
