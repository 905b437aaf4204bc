"""Plan review: Markdown summaries of Terraform plans that flag risky changes (see docs/delivery.md)."""
