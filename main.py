"""CDKTF app entry point (cdktf.json "app"): validate config/ and synthesize all stacks.

`npx cdktf synth|diff|deploy` runs this; so does `make synth`. Bad config exits
with code 2 and one message per problem; cdktf.out is only replaced on success.

Under cdktf-cli (it sets CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS for the app), notices
are not printed: cdktf-cli prints every annotation of manifest.json itself
(``INFO [dev/churn/monitor_features/Resource]: …``) and shows whatever the app writes on stderr as
red ``[ERROR]`` lines, so printing them here would show each notice twice, once as an error.
"""

import os
import sys

from mlops_tools.cli import main

UNDER_CDKTF_CLI = "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS"

if __name__ == "__main__":
    extra = ["--no-notices"] if os.environ.get(UNDER_CDKTF_CLI) else []
    sys.exit(main(["synth", *extra, *sys.argv[1:]]))
