"""``pull``: bring a live edit made in the UI back into the definition files.

:mod:`.run` is the use case (plan, hand each drifted resource to its kind's planner, edit, rebuild, list
what could not be mapped); :mod:`.dashboards`, :mod:`.cards`, :mod:`.rule_groups` and
:mod:`.contact_points` map one kind's differences onto the calls that define it, with the shared pieces
in :mod:`.mapping`; :mod:`.edits` rewrites those calls in place with libcst, keeping comments and
formatting.
"""
