"""Offline Terraform verification against a schema-driven stub of the databricks provider."""
