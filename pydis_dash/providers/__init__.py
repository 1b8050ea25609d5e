"""Targets pydis-dash deploys to. Each provider (Grafana, Metabase) has one handler per resource kind.

See :mod:`pydis_dash.providers.base` for the protocols and :mod:`pydis_dash.providers.registry` for
how the CLI finds the provider of a target. Shared by both providers: :mod:`.http` (session, retries,
transport errors), :mod:`.dryrun` (the guard no write gets past) and :mod:`.cache` (listings read once
per plan).
"""
