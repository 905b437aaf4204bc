"""``python -m mlops_tools``: the same as the ``mlops`` console script."""

from mlops_tools.cli import run

run()
