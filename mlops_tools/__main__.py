import sys

from mlops_tools.cli import main

sys.exit(main())
