"""``import``: existing Grafana dashboards, Metabase cards and alert rule groups into definitions.

Readers tell what an input holds (:mod:`.readers`); each kind is upgraded to the model pydis-dash
builds, listing every change (:mod:`.grafana_upgrade`), then written as code with the authoring API
(:mod:`.grafana_code`, :mod:`.panel_code`) and built again to check the round trip.
"""
