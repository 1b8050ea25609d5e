"""Where alert notifications go. Webhook URLs are secrets: only their environment variables are named here."""

from pydis_dash.alerts import discord_contact_point

devops_oncall = discord_contact_point(
    "devops on-call",
    url_env="PYDIS_ALERTS_DEVOPS_ONCALL_WEBHOOK",
    title="{{ .CommonLabels.alertname }} ({{ .Status }})",
)
devops_low_priority = discord_contact_point(
    "devops low priority",
    url_env="PYDIS_ALERTS_DEVOPS_LOW_PRIORITY_WEBHOOK",
)
moderators = discord_contact_point(
    "moderators",
    url_env="PYDIS_ALERTS_MODERATORS_WEBHOOK",
    title="{{ .CommonLabels.alertname }}",
)
