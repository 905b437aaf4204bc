"""CDKTF app entry point (cdktf.json "app"): validate config/ and synthesize all stacks.

`npx cdktf synth|diff|deploy` runs this; so does `make synth`. Bad config exits
with code 2 and one message per problem; cdktf.out is only replaced on success.
"""

import sys

from mlops_tools.cli import main

if __name__ == "__main__":
    sys.exit(main(["synth", *sys.argv[1:]]))
