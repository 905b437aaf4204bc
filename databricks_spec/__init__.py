"""Facts about Databricks and its Terraform provider, and the shared diagnostics shape.

The bottom layer: jsii-free, and it imports nothing of ours. Everything else may import it
(spec <- config <- resolution <- stacks -> constructs -> spec; tools may import config, spec
and the stack layout).
"""
