"""MLOps platform tooling (offline Terraform verification, ...).

Every entry point (the ``mlops`` console script, ``python -m mlops_tools``, the cdktf app's
main.py) imports this package first, so it sets how often Python's cyclic garbage collector
runs for the whole short-lived process: a synth creates hundreds of thousands of objects
that live until it exits (config models, resolved values, jsii proxies), and with the
default thresholds (700, 10, 10) the collector re-scans them hundreds of times. Collecting
after 50,000 allocations instead holds a little cyclic garbage longer (the peak RSS of a
10-project synth did not change) and saved a few percent of CPU on the example's synth,
most of it while the config models and bindings are imported. Reference counting still
frees everything that is not in a cycle at once.
"""

import gc as _gc

_gen0, _gen1, _gen2 = _gc.get_threshold()
_gc.set_threshold(max(_gen0, 50_000), max(_gen1, 20), max(_gen2, 20))
