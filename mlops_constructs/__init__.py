"""Reusable constructs, one unit of an ML platform per module.

Named ``mlops_constructs`` rather than ``constructs``: a top-level package named
``constructs`` would shadow the constructs library every CDKTF app depends on.

Each construct is ``Unit(scope, id, props)``: props are frozen, typed
dataclasses whose optional fields document their defaults; the main child is
named "Resource". Constructs never read YAML, files or environment variables.

Most units are flat (``mlops_constructs.unit.FlatUnit``): a level of the construct
path, not a jsii construct. Their resources are created directly in the stack under
the logical id their path gives (``mlops_engine.logical_ids``), so the addresses are
those of a tree of constructs at one jsii round trip per resource.
"""

import os as _os

# jsii starts a Node.js process on first import of any binding; with Node 20 it
# prints an end-of-life banner on every run. The value lists the Node majors to
# silence. Set here, before any binding is imported, so no user sees it.
_os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
