"""Stage 3 of the pipeline: check rendered resources (schemas, lint rules, queries on real engines)."""
