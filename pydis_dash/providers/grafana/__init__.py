"""The Grafana provider: an HTTP client, pure normalisation, and one handler per resource kind."""
