"""Targets pydis-dash deploys to. Each provider (Grafana, Metabase) has one handler per resource kind.

See :mod:`pydis_dash.providers.base` for the protocols and :mod:`pydis_dash.providers.registry` for
how the CLI finds the provider of a target.
"""
