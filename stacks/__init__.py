"""Per-environment composition: decides WHICH units exist; constructs decide HOW."""

import mlops_constructs  # noqa: F401  (sets the jsii environment before any binding loads)
