"""MLOps platform tooling (offline Terraform verification, ...)."""
