"""Stage 2 of the pipeline: authoring objects (ours and raw grafanalib ones) to plain JSON resources.

grafanalib's objects render to Grafana's legacy dashboard model; :mod:`.modernize` upgrades that to the
current model that Grafana's strict schema accepts, :mod:`.layout` places panels on the 24-column grid,
and :mod:`.panel_defaults` supplies each panel plugin's current option defaults.
"""
