"""Reusable constructs, one unit of an ML platform per module.

Named ``mlops_constructs`` rather than ``constructs``: a top-level package named
``constructs`` would shadow the constructs library every CDKTF app depends on.

Each construct is ``Construct(scope, id, props)``: props are frozen, typed
dataclasses whose optional fields document their defaults; the main child is
named "Resource". Constructs never read YAML, files or environment variables.
"""

import os as _os

# jsii starts a Node.js process on first import of any binding; with Node 20 it
# prints an end-of-life banner on every run. The value lists the Node majors to
# silence. Set here, before any binding is imported, so no user sees it.
_os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
