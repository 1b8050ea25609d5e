"""Rules both sides of the pipeline agree on: how pydis-dash names and marks what it owns.

The authoring packages (``alerts``, ``metabase``) apply them when rendering; the providers, validate and
preview read them back from live resources. Keeping them here, apart from both, means neither side
imports the other: alerting uids and durations (:mod:`.alerting`, :mod:`.durations`) and the Metabase
card marker and hints (:mod:`.metabase`).
"""
