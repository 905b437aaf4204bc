"""Schema-driven offline stand-in for the databricks Terraform provider.

Speaks Terraform plugin protocol 6 over gRPC and serves the schema rebuilt
from the installed cdktf bindings, so that real ``terraform validate/plan/apply``
work without network or credentials. Nothing is ever sent to Databricks: apply
fills computed attributes with deterministic placeholders.

The process is unmanaged: the offline harness starts ONE per run
(``python -m mlops_tools.offline.provider unix:/private/dir/socket``) and every
Terraform command of every stack attaches to it through
``TF_REATTACH_PROVIDERS``, instead of Terraform starting a provider process
(about 0.4 s) for each command. The servicer keeps no per-client state, so
concurrent Terraform clients are independent.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import msgpack
from msgpack.ext import ExtType
from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc

from mlops_tools.offline import imports
from mlops_tools.offline.replacement import requires_replace
from mlops_tools.offline.provider_schema import (
    PROVIDER_ADDRESS,
    JsonDict,
    atomic_write,
    load_schema,
    provider_schemas,
    schema_cache_path,
)

_UNKNOWN = ExtType(0, b"\x00")
#: ``get_provider_schema_optional``: Terraform fetches the schema once per process and
#: reuses it for every provider instance it opens (a plan opens three: validate, plan and
#: the apply-graph check), instead of fetching and decoding it each time.
_CAPABILITIES = pb.ServerCapabilities(get_provider_schema_optional=True)
_SHUTDOWN_GRACE_SECONDS = 0.02
_WORKERS = 32
_NESTING = {
    "single": pb.Schema.NestedBlock.SINGLE,
    "list": pb.Schema.NestedBlock.LIST,
    "set": pb.Schema.NestedBlock.SET,
    "map": pb.Schema.NestedBlock.MAP,
}
_OBJECT_NESTING = {
    "single": pb.Schema.Object.SINGLE,
    "list": pb.Schema.Object.LIST,
    "set": pb.Schema.Object.SET,
    "map": pb.Schema.Object.MAP,
}


# --------------------------------------------------------------------------- values


def is_unknown(value: Any) -> bool:
    """True for cty's unknown value (msgpack extension 0, or 12 for refined unknowns)."""
    return isinstance(value, ExtType) and value.code in (0, 12)


def decode(value: pb.DynamicValue) -> Any:
    """Decode a DynamicValue (msgpack or JSON) into Python data, keeping unknowns as ExtType."""
    if value.msgpack:
        return msgpack.unpackb(value.msgpack, raw=False, strict_map_key=False)
    if value.json:
        return json.loads(value.json)
    return None


def encode(value: Any) -> pb.DynamicValue:
    """Encode Python data (with ExtType unknowns) as a msgpack DynamicValue."""
    return pb.DynamicValue(msgpack=msgpack.packb(value, use_bin_type=True))


def placeholder(type_: Any, name: str) -> Any:
    """Deterministic offline value for a computed attribute of cty type ``type_``."""
    if type_ == "string":
        return f"offline-{name}"
    if type_ == "number":
        return 0
    if type_ == "bool":
        return False
    if isinstance(type_, list) and type_[0] in ("list", "set"):
        return []
    if isinstance(type_, list) and type_[0] == "map":
        return {}
    if isinstance(type_, list) and type_[0] == "object":
        return {key: None for key in type_[1]}
    return None


def stable_id(type_name: str, config: Any) -> str:
    """A deterministic id derived from resource type and configuration.

    Decimal digits, like real job, cluster and experiment ids, so an id referenced
    where the schema wants a number (run_job_task.job_id) converts cleanly."""
    digest = hashlib.sha256(json.dumps([type_name, config], sort_keys=True, default=repr).encode())
    return str(int(digest.hexdigest()[:13], 16))


def _computed_attributes(block: JsonDict) -> dict[str, Any]:
    """Names and cty types of top-level computed attributes of a schema block."""
    return {
        name: attr.get("type")
        for name, attr in block.get("attributes", {}).items()
        if attr.get("computed") and "nested_type" not in attr
    }


def mark_unknown(block: JsonDict, proposed: dict[str, Any]) -> dict[str, Any]:
    """Planned state on create: null computed attributes become unknown."""
    planned = dict(proposed)
    for name in _computed_attributes(block):
        if planned.get(name) is None:
            planned[name] = _UNKNOWN
    return planned


def fill_unknowns(value: Any, config: Any, type_: Any, name: str) -> Any:
    """Replace unknowns: the now-known config value if any, else a placeholder."""
    if is_unknown(value):
        return config if config is not None and not is_unknown(config) else placeholder(type_, name)
    if isinstance(value, dict):
        sub_config = config if isinstance(config, dict) else {}
        return {k: fill_unknowns(v, sub_config.get(k), None, k) for k, v in value.items()}
    if isinstance(value, list):
        sub_config = config if isinstance(config, list) else []
        padded = sub_config + [None] * (len(value) - len(sub_config))
        return [fill_unknowns(v, c, None, name) for v, c in zip(value, padded)]
    return value


def apply_state(type_name: str, block: JsonDict, planned: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """New state after an offline apply: every unknown resolved deterministically."""
    computed = _computed_attributes(block)
    state = {}
    for key, value in planned.items():
        if key == "id" and is_unknown(value):
            state[key] = stable_id(type_name, {k: v for k, v in config.items() if not is_unknown(v)})
        else:
            state[key] = fill_unknowns(value, config.get(key), computed.get(key), key)
    return state


def read_data_source(type_name: str, block: JsonDict, config: dict[str, Any]) -> dict[str, Any]:
    """State of a data source: configuration plus placeholders for null computed attributes."""
    state = dict(config)
    for name, type_ in _computed_attributes(block).items():
        if state.get(name) is None:
            state[name] = stable_id(type_name, config) if name == "id" else placeholder(type_, name)
    return state


# --------------------------------------------------------------------------- schema


def _type_bytes(type_: Any) -> bytes:
    return json.dumps(type_, separators=(",", ":")).encode()


def _pb_attribute(name: str, attr: JsonDict) -> pb.Schema.Attribute:
    kwargs: dict[str, Any] = {
        "name": name,
        "required": bool(attr.get("required")),
        "optional": bool(attr.get("optional")),
        "computed": bool(attr.get("computed")),
    }
    if "nested_type" in attr:
        nested = attr["nested_type"]
        kwargs["nested_type"] = pb.Schema.Object(
            attributes=[_pb_attribute(k, v) for k, v in sorted(nested["attributes"].items())],
            nesting=_OBJECT_NESTING[nested["nesting_mode"]],
        )
    else:
        kwargs["type"] = _type_bytes(attr["type"])
    return pb.Schema.Attribute(**kwargs)


def _pb_block(block: JsonDict) -> pb.Schema.Block:
    return pb.Schema.Block(
        attributes=[_pb_attribute(k, v) for k, v in sorted(block.get("attributes", {}).items())],
        block_types=[
            pb.Schema.NestedBlock(
                type_name=k,
                block=_pb_block(v["block"]),
                nesting=_NESTING[v["nesting_mode"]],
                min_items=v.get("min_items", 0),
                max_items=v.get("max_items", 0),
            )
            for k, v in sorted(block.get("block_types", {}).items())
        ],
    )


def _pb_schema(schema: JsonDict) -> pb.Schema:
    return pb.Schema(version=schema.get("version", 0), block=_pb_block(schema["block"]))


# --------------------------------------------------------------------------- servicer


class OfflineProvider(rpc.ProviderServicer):
    """Protocol-6 provider answering from the rebuilt schema, never touching the network."""

    def __init__(self, schema: JsonDict, response_cache: Path | None = None) -> None:
        self.schemas = provider_schemas(schema)
        self._response_cache = response_cache
        self._response: pb.GetProviderSchema.Response | None = None
        self._lock = threading.Lock()

    def _block(self, kind: str, type_name: str) -> JsonDict:
        return self.schemas[kind][type_name]["block"]

    def GetMetadata(self, request: Any, context: Any) -> Any:
        return pb.GetMetadata.Response(
            server_capabilities=_CAPABILITIES,
            resources=[pb.GetMetadata.ResourceMetadata(type_name=n) for n in self.schemas["resource_schemas"]],
            data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=n) for n in self.schemas["data_source_schemas"]],
        )

    def GetProviderSchema(self, request: Any, context: Any) -> Any:
        with self._lock:
            if self._response is None:
                self._response = self._load_response()
        return self._response

    def _load_response(self) -> pb.GetProviderSchema.Response:
        """The schema response, from the serialized cache when present (saves ~70 ms per process)."""
        cache = self._response_cache
        if cache is not None and cache.exists():
            response = pb.GetProviderSchema.Response.FromString(cache.read_bytes())
            response.server_capabilities.CopyFrom(_CAPABILITIES)  # also for a cache written before
            return response
        response = pb.GetProviderSchema.Response(
            provider=_pb_schema(self.schemas["provider"]),
            resource_schemas={k: _pb_schema(v) for k, v in self.schemas["resource_schemas"].items()},
            data_source_schemas={k: _pb_schema(v) for k, v in self.schemas["data_source_schemas"].items()},
            server_capabilities=_CAPABILITIES,
        )
        if cache is not None:
            atomic_write(cache, response.SerializeToString())
        return response

    def ValidateProviderConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateProviderConfig.Response()

    def ValidateResourceConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateResourceConfig.Response()

    def ValidateDataResourceConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateDataResourceConfig.Response()

    def ConfigureProvider(self, request: Any, context: Any) -> Any:
        return pb.ConfigureProvider.Response()

    def UpgradeResourceState(self, request: Any, context: Any) -> Any:
        return pb.UpgradeResourceState.Response(upgraded_state=pb.DynamicValue(json=request.raw_state.json))

    def ReadResource(self, request: Any, context: Any) -> Any:
        return pb.ReadResource.Response(new_state=request.current_state, private=request.private)

    def PlanResourceChange(self, request: Any, context: Any) -> Any:
        proposed = decode(request.proposed_new_state)
        prior = decode(request.prior_state)
        if proposed is None:
            return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state)
        if prior is not None:
            if imports.is_imported(request.prior_private):  # adopted by an import block (offline/imports.py)
                prior = imports.known_prior(request.type_name, prior, proposed)
            return pb.PlanResourceChange.Response(
                planned_state=request.proposed_new_state,
                requires_replace=requires_replace(request.type_name, prior, proposed))
        planned = mark_unknown(self._block("resource_schemas", request.type_name), proposed)
        return pb.PlanResourceChange.Response(planned_state=encode(planned))

    def ApplyResourceChange(self, request: Any, context: Any) -> Any:
        planned = decode(request.planned_state)
        if planned is None:
            return pb.ApplyResourceChange.Response(new_state=request.planned_state)
        block = self._block("resource_schemas", request.type_name)
        state = apply_state(request.type_name, block, planned, decode(request.config) or {})
        return pb.ApplyResourceChange.Response(new_state=encode(state))

    def ImportResourceState(self, request: Any, context: Any) -> Any:
        block = self._block("resource_schemas", request.type_name)
        state = encode(imports.imported_state(request.type_name, block, request.id))
        imported = pb.ImportResourceState.ImportedResource(type_name=request.type_name, state=state,
                                                           private=imports.IMPORTED)
        return pb.ImportResourceState.Response(imported_resources=[imported])

    def ReadDataSource(self, request: Any, context: Any) -> Any:
        block = self._block("data_source_schemas", request.type_name)
        state = read_data_source(request.type_name, block, decode(request.config) or {})
        return pb.ReadDataSource.Response(state=encode(state))

    def GetFunctions(self, request: Any, context: Any) -> Any:
        return pb.GetFunctions.Response()

    def StopProvider(self, request: Any, context: Any) -> Any:
        return pb.StopProvider.Response()


# --------------------------------------------------------------------------- server


class _Stdio(stdio_rpc.GRPCStdioServicer):
    """go-plugin stdio stream: nothing to forward."""

    def StreamStdio(self, request: Any, context: Any) -> Any:
        return iter(())


def reattach_config(address: str, pid: int) -> dict[str, Any]:
    """The ``TF_REATTACH_PROVIDERS`` value that attaches Terraform to a server at ``address``.

    ``address`` is ``unix:/path`` or ``127.0.0.1:PORT``. ``Test`` marks the
    process as unmanaged: Terraform neither starts, waits for nor kills it, so
    any number of Terraform commands, also concurrent ones, share it.
    """
    if address.startswith("unix:"):
        addr = {"Network": "unix", "String": address.removeprefix("unix:")}
    else:
        addr = {"Network": "tcp", "String": address}
    return {PROVIDER_ADDRESS: {"Protocol": "grpc", "ProtocolVersion": 6, "Pid": pid, "Test": True, "Addr": addr}}


def serve(address: str) -> int:
    """Serve the stand-in to any number of concurrent Terraform clients at ``address``.

    ``address`` is ``unix:/path/to/socket`` (in a private directory) or
    ``127.0.0.1:0`` where unix sockets are unavailable. Prints one JSON line,
    ``{"reattach": <TF_REATTACH_PROVIDERS value>, "provider_version": ...}``,
    once the schema is loaded, then serves until standard input closes (the
    starting process closed the pipe or exited), so the server never outlives
    the run that started it.
    """
    schema = load_schema()
    provider = OfflineProvider(schema, schema_cache_path().with_suffix(".pb"))
    provider.GetProviderSchema(None, None)  # load before announcing: every client gets it at once
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=_WORKERS))
    rpc.add_ProviderServicer_to_server(provider, server)
    stdio_rpc.add_GRPCStdioServicer_to_server(_Stdio(), server)
    port = server.add_insecure_port(address)
    server.start()
    if not address.startswith("unix:"):
        address = f"{address.rsplit(':', 1)[0]}:{port}"
    ready = {"reattach": reattach_config(address, os.getpid()), "provider_version": schema["provider_version"]}
    print(json.dumps(ready), flush=True)
    sys.stdin.buffer.read()
    server.stop(grace=_SHUTDOWN_GRACE_SECONDS)
    # Skip interpreter teardown (joining gRPC threads costs ~0.3 s).
    sys.stdout.flush()
    os._exit(0)


def main(argv: list[str]) -> int:
    """``python -m mlops_tools.offline.provider ADDRESS`` (the harness starts it)."""
    if len(argv) != 1 or not (argv[0].startswith("unix:") or argv[0].startswith("127.0.0.1:")):
        print("usage: python -m mlops_tools.offline.provider unix:/private/dir/socket | 127.0.0.1:0\n"
              "The offline harness (mlops_tools.offline.harness) starts this server and attaches "
              "Terraform to it.", file=sys.stderr)
        return 2
    return serve(argv[0])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
