"""Rendered resources -> the :class:`Query` values the engines check.

Sources of queries:

- dashboards: every panel target (rows' collapsed panels too) and every query template variable;
- Metabase questions (``metabase-question``): the card's native query and its template tags;
- alert rule groups (``grafana-rule-group``): each rule's ``data[].model``.

The data source type decides the language (``grafana-postgresql-datasource``/``postgres`` -> SQL,
``prometheus`` -> PromQL, ``graphite`` -> Graphite); the panel type decides the result shape the
engine checks (time series, single value, table).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydis_dash.model import Kind, Resource, json_pointer
from pydis_dash.validate.dashboard_json import (
    datasource_ref,
    iter_panels,
    iter_targets,
    panel_title,
    template_variables,
)
from pydis_dash.validate.datasources import MIXED, DatasourceCatalog, Resolved, language_of
from pydis_dash.validate.queries import Language, Query, ResultShape, TemplateSyntax, Variable

# The field holding the query text, per language (Graphite's ``targetFull`` has ``#A`` references to
# other targets expanded, so it is preferred when Grafana wrote one).
TEXT_KEYS: Mapping[Language, tuple[str, ...]] = {
    Language.SQL: ("rawSql",),
    Language.PROMQL: ("expr",),
    Language.GRAPHITE: ("targetFull", "target"),
}

_SINGLE_VALUE_PANELS = frozenset({"stat", "gauge", "bargauge"})
_TIME_SERIES_PANELS = frozenset({"timeseries", "barchart"})

# Prometheus variable queries are not PromQL but Grafana functions around PromQL
# (public/app/plugins/datasource/prometheus/metric_find_query.ts).
_PROM_LABEL_VALUES = re.compile(r"^\s*label_values\((?P<expr>.*),\s*[A-Za-z_][\w.]*\s*\)\s*$", re.DOTALL)
_PROM_QUERY_RESULT = re.compile(r"^\s*query_result\((?P<expr>.*)\)\s*$", re.DOTALL)
_PROM_NO_EXPR = re.compile(r"^\s*(label_values|label_names|metrics)\s*\(", re.DOTALL)


def extract_queries(resources: Iterable[Resource], catalog: DatasourceCatalog | None = None) -> list[Query]:
    """Every checkable query in ``resources``, in resource order."""
    resource_list = list(resources)
    catalog = catalog if catalog is not None else DatasourceCatalog(resource_list)
    queries: list[Query] = []
    for resource in resource_list:
        if resource.kind is Kind.GRAFANA_DASHBOARD:
            queries.extend(dashboard_queries(resource, catalog))
        elif resource.kind is Kind.GRAFANA_RULE_GROUP:
            queries.extend(rule_group_queries(resource, catalog))
        elif resource.kind is Kind.METABASE_QUESTION:
            queries.extend(question_queries(resource, catalog))
    return queries


# --- dashboards ---------------------------------------------------------------------------------


def dashboard_queries(resource: Resource, catalog: DatasourceCatalog) -> Iterator[Query]:
    """Queries of one dashboard: panel targets, then query variables."""
    body = resource.body
    variables = dashboard_variables(body)
    for pointer, panel in iter_panels(body):
        panel_ds = catalog.resolve(datasource_ref(panel.get("datasource")), body)
        for index, target in iter_targets(panel):
            target_ds = catalog.resolve(datasource_ref(target.get("datasource")), body)
            resolved = target_ds if target_ds is not None and _is_concrete(target_ds) else panel_ds
            if resolved is not None and resolved.uid == MIXED:
                resolved = target_ds
            language = _language(resolved, target)
            if language is None:
                continue
            found = _text(target, language)
            if found is None:
                continue
            key, text = found
            ref_id = target.get("refId")
            yield Query(
                resource=resource,
                json_path=f"{pointer}/targets/{index}/{key}",
                language=language,
                text=text,
                syntax=TemplateSyntax.GRAFANA,
                variables=variables,
                datasource_uid=resolved.uid if resolved else None,
                shape=result_shape(panel.get("type"), language, target),
                panel=panel_title(panel),
                ref_id=ref_id if isinstance(ref_id, str) else None,
            )
    for pointer, variable in template_variables(body):
        query = _variable_query(resource, pointer, variable, variables, catalog)
        if query is not None:
            yield query


def result_shape(panel_type: Any, language: Language, target: Mapping[str, Any]) -> ResultShape:
    """What the panel needs back from a target's query.

    Only SQL distinguishes time series from tables: Grafana's SQL data sources turn rows into series
    when the target's ``format`` is ``time_series`` (their editor's default is ``table``).
    """
    if panel_type in _SINGLE_VALUE_PANELS:
        return ResultShape.SINGLE_VALUE
    is_sql_series = language is Language.SQL and target.get("format") == "time_series"
    if panel_type in _TIME_SERIES_PANELS and is_sql_series:
        return ResultShape.TIME_SERIES
    return ResultShape.TABLE


def dashboard_variables(body: Mapping[str, Any]) -> tuple[Variable, ...]:
    """The dashboard's template variables, with a sample value when one is known."""
    variables = []
    for _, variable in template_variables(body):
        name = variable.get("name")
        if not isinstance(name, str):
            continue
        var_type = variable.get("type")
        variables.append(
            Variable(
                name=name,
                type=var_type if isinstance(var_type, str) else "query",
                multi=bool(variable.get("multi")),
                include_all=bool(variable.get("includeAll")),
                sample=_sample(variable),
                all_value=variable.get("allValue") if isinstance(variable.get("allValue"), str) else None,
            )
        )
    return tuple(variables)


def _sample(variable: Mapping[str, Any]) -> str | None:
    """A concrete value for the variable: its current value, else its first option, else its query."""
    current = variable.get("current")
    value = current.get("value") if isinstance(current, Mapping) else None
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v != "$__all"), None)
    if isinstance(value, str) and value and value != "$__all":
        return value
    var_type = variable.get("type")
    options = variable.get("options")
    if isinstance(options, list):
        for option in options:
            option_value = option.get("value") if isinstance(option, Mapping) else None
            if isinstance(option_value, str) and option_value and option_value != "$__all":
                return option_value
    query = variable.get("query")
    if not isinstance(query, str) or not query:
        return None
    if var_type == "custom":
        # Grafana splits on commas not preceded by a backslash; ``label : value`` pairs use the value.
        first = re.split(r"(?<!\\),", query)[0].strip()
        label, sep, option_value = first.partition(" : ")
        return (option_value if sep else label).replace("\\,", ",")
    if var_type == "interval":
        first = query.split(",")[0].strip()
        return first or None
    if var_type in ("constant", "textbox"):
        return query
    return None


def variable_option_queries(resource: Resource, catalog: DatasourceCatalog) -> dict[str, Query]:
    """Each query variable's query as Grafana runs it to list the variable's options, by variable name.

    Unlike :func:`dashboard_queries`, which checks the PromQL inside Prometheus' variable functions, a
    Prometheus variable's text is kept whole (``label_names()``, ``metrics(re)``, ``query_result(q)``).
    """
    variables = dashboard_variables(resource.body)
    found: dict[str, Query] = {}
    for pointer, variable in template_variables(resource.body):
        query = _variable_query(resource, pointer, variable, variables, catalog, whole=True)
        if query is not None and isinstance(variable.get("name"), str):
            found[variable["name"]] = query
    return found


def _variable_query(
    resource: Resource,
    pointer: str,
    variable: Mapping[str, Any],
    variables: tuple[Variable, ...],
    catalog: DatasourceCatalog,
    *,
    whole: bool = False,
) -> Query | None:
    if variable.get("type") != "query":
        return None
    resolved = catalog.resolve(datasource_ref(variable.get("datasource")), resource.body)
    language = language_of(resolved.type) if resolved is not None else None
    if language is None:
        return None
    raw = variable.get("query")
    path = f"{pointer}/query"
    text: str | None = None
    if isinstance(raw, str):
        text = raw
    elif isinstance(raw, Mapping):
        for key in ("rawSql", "query", "expr", "target"):
            if isinstance(raw.get(key), str):
                text, path = raw[key], f"{path}/{key}"
                break
    if language is Language.PROMQL and text is not None and not whole:
        text = _promql_of_variable_query(text)
    if not text or not text.strip():
        return None
    return Query(
        resource=resource,
        json_path=path,
        language=language,
        text=text,
        syntax=TemplateSyntax.GRAFANA,
        variables=variables,
        datasource_uid=resolved.uid if resolved else None,
        shape=ResultShape.TABLE,
    )


def _promql_of_variable_query(text: str) -> str | None:
    """The PromQL inside a Prometheus variable query (``label_values(expr, label)``), if any."""
    for pattern in (_PROM_LABEL_VALUES, _PROM_QUERY_RESULT):
        match = pattern.match(text)
        if match:
            return match.group("expr")
    if _PROM_NO_EXPR.match(text):
        return None
    return text  # a bare selector: Grafana asks Prometheus for the series it matches


def _is_concrete(resolved: Resolved) -> bool:
    return resolved.uid is not None or resolved.type is not None


def _language(resolved: Resolved | None, target: Mapping[str, Any]) -> Language | None:
    """Language from the data source type; without a known type (Grafana's default data source), from
    the field the target fills in."""
    language = language_of(resolved.type) if resolved is not None else None
    if language is not None or (resolved is not None and resolved.type is not None):
        return language
    for candidate, keys in TEXT_KEYS.items():
        if any(isinstance(target.get(key), str) for key in keys):
            return candidate
    return None


def _text(target: Mapping[str, Any], language: Language) -> tuple[str, str] | None:
    for key in TEXT_KEYS[language]:
        value = target.get(key)
        if isinstance(value, str) and value.strip():
            return key, value
    return None


# --- alert rule groups ----------------------------------------------------------------------------


def rule_group_queries(resource: Resource, catalog: DatasourceCatalog) -> Iterator[Query]:
    """Queries of the rules in a Grafana rule group (``rules[].data[].model``); expressions skipped."""
    rules = resource.body.get("rules")
    if not isinstance(rules, list):
        return
    for rule_index, rule in enumerate(rules):
        if not isinstance(rule, Mapping) or not isinstance(rule.get("data"), list):
            continue
        title = rule.get("title")
        for data_index, data in enumerate(rule["data"]):
            if not isinstance(data, Mapping) or not isinstance(data.get("model"), Mapping):
                continue
            uid = data.get("datasourceUid")
            if uid == "__expr__":
                continue  # server-side expressions (math, reduce, threshold): nothing to check on an engine
            resolved = catalog.resolve(datasource_ref({"uid": uid}))
            model = data["model"]
            language = _language(resolved, model)
            found = _text(model, language) if language is not None else None
            if language is None or found is None:
                continue
            key, text = found
            ref_id = data.get("refId")
            yield Query(
                resource=resource,
                json_path=json_pointer("rules", rule_index, "data", data_index, "model", key),
                language=language,
                text=text,
                syntax=TemplateSyntax.GRAFANA,
                datasource_uid=resolved.uid if resolved else None,
                shape=ResultShape.TABLE,
                panel=title if isinstance(title, str) else None,
                ref_id=ref_id if isinstance(ref_id, str) else None,
            )


# --- Metabase questions ---------------------------------------------------------------------------


def question_queries(resource: Resource, catalog: DatasourceCatalog | None = None) -> Iterator[Query]:
    """The native SQL query of a Metabase question (card), with its template tags as variables."""
    dataset_query = resource.body.get("dataset_query")
    native = dataset_query.get("native") if isinstance(dataset_query, Mapping) else None
    if not isinstance(dataset_query, Mapping) or not isinstance(native, Mapping):
        return
    text = native.get("query")
    if not isinstance(text, str) or not text.strip():
        return
    tags = native.get("template-tags")
    tag_list = tags.values() if isinstance(tags, Mapping) else tags if isinstance(tags, list) else []
    # Since Metabase 0.63 ``template-tags`` may be a list; the legacy shape pydis-dash sends is a map.
    variables = tuple(_tag_variable(tag) for tag in tag_list if isinstance(tag, Mapping))
    yield Query(
        resource=resource,
        json_path="/dataset_query/native/query",
        language=Language.SQL,
        text=text,
        syntax=TemplateSyntax.METABASE,
        variables=variables,
        datasource_uid=_question_datasource_uid(resource.body, dataset_query, catalog),
        shape=ResultShape.TABLE,
        panel=resource.title,
    )


def _tag_variable(tag: Mapping[str, Any]) -> Variable:
    default = tag.get("default")
    sample = None if default is None else str(default).lower() if isinstance(default, bool) else str(default)
    return Variable(
        name=str(tag.get("name", "")),
        type=str(tag.get("type", "text")),
        required=bool(tag.get("required")),
        sample=sample,
        field=_tag_field(tag),
    )


def _tag_field(tag: Mapping[str, Any]) -> str | None:
    """``table.column`` of a field filter: pydis-dash keeps it in ``dimension`` until deploy resolves the
    Metabase field id (``["field", "channels.name", null]``), or in a ``pydis-dash`` hint."""
    hint = tag.get("pydis-dash")
    if isinstance(hint, Mapping) and isinstance(hint.get("field"), str):
        return str(hint["field"])
    dimension = tag.get("dimension")
    if isinstance(dimension, list) and len(dimension) >= 2 and isinstance(dimension[1], str):
        return dimension[1]
    return None


def _question_datasource_uid(
    body: Mapping[str, Any], dataset_query: Mapping[str, Any], catalog: DatasourceCatalog | None
) -> str | None:
    """The uid of the data source over the question's database (the one whose ``metabase_database`` it is).

    The Metabase renderer writes it as a hint (``pydis-dash.datasource_uid``); the body's database is
    still a name at this stage (deploy swaps in the id), looked up in the catalog as the fallback.
    """
    hint = body.get("pydis-dash")
    if isinstance(hint, Mapping) and isinstance(hint.get("datasource_uid"), str):
        return str(hint["datasource_uid"])
    database = dataset_query.get("database")
    if not isinstance(database, str) or catalog is None:
        return None
    return catalog.uid_for_metabase_database(database)
