"""Schema-driven offline stand-in for the databricks Terraform provider.

Speaks Terraform plugin protocol 6 over gRPC (go-plugin handshake, auto-mTLS)
and serves the schema rebuilt from the installed cdktf bindings, so that real
``terraform init/validate/plan/apply`` work without network or credentials.
Nothing is ever sent to Databricks: apply fills computed attributes with
deterministic placeholders.

Run as ``python -m mlops_tools.offline.provider`` (Terraform starts it).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import threading
import time
from concurrent import futures
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import grpc
import msgpack
from msgpack.ext import ExtType
from tf.gen import grpc_controller_pb2 as controller_pb
from tf.gen import grpc_controller_pb2_grpc as controller_rpc
from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc

from mlops_tools.offline.replacement import requires_replace
from mlops_tools.offline.schema import (
    JsonDict,
    atomic_write,
    cache_dir,
    load_schema,
    provider_schemas,
    schema_cache_path,
)

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
_UNKNOWN = ExtType(0, b"\x00")
_SHUTDOWN_GRACE_SECONDS = 0.02
_CERT_LIFETIME = timedelta(days=1)
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
            server_capabilities=pb.ServerCapabilities(),
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
            return pb.GetProviderSchema.Response.FromString(cache.read_bytes())
        response = pb.GetProviderSchema.Response(
            provider=_pb_schema(self.schemas["provider"]),
            resource_schemas={k: _pb_schema(v) for k, v in self.schemas["resource_schemas"].items()},
            data_source_schemas={k: _pb_schema(v) for k, v in self.schemas["data_source_schemas"].items()},
            server_capabilities=pb.ServerCapabilities(),
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
        state = encode({"id": request.id})
        imported = pb.ImportResourceState.ImportedResource(type_name=request.type_name, state=state)
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


def server_certificate() -> tuple[bytes, bytes, bytes]:
    """Self-signed server certificate (key PEM, cert PEM, cert DER), cached privately for a day.

    Loading the cache avoids importing ``cryptography`` in every provider process.
    """
    path = cache_dir() / "offline-terraform" / "server-cert.json"
    try:
        cached = json.loads(path.read_text())
        if cached["expires"] > time.time() + 3600:
            return cached["key"].encode(), cached["cert"].encode(), base64.b64decode(cached["der"])
    except (OSError, ValueError, KeyError):
        pass
    key_pem, cert_pem, cert_der = _new_certificate()
    record = {"key": key_pem.decode(), "cert": cert_pem.decode(), "der": base64.b64encode(cert_der).decode()}
    atomic_write(path, json.dumps({**record, "expires": time.time() + _CERT_LIFETIME.total_seconds()}))
    return key_pem, cert_pem, cert_der


def _new_certificate() -> tuple[bytes, bytes, bytes]:
    """Fresh self-signed ECDSA certificate for ``localhost``: (key PEM, cert PEM, cert DER)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + _CERT_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH, x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM), cert.public_bytes(serialization.Encoding.DER)


class _Controller(controller_rpc.GRPCControllerServicer):
    """go-plugin controller: Terraform asks the plugin to shut down through it."""

    def __init__(self, stopped: threading.Event) -> None:
        self.stopped = stopped

    def Shutdown(self, request: Any, context: Any) -> Any:
        self.stopped.set()
        return controller_pb.Empty()


class _Stdio(stdio_rpc.GRPCStdioServicer):
    """go-plugin stdio stream: nothing to forward."""

    def StreamStdio(self, request: Any, context: Any) -> Any:
        return iter(())


def serve() -> int:
    """Start the gRPC server, print the go-plugin handshake and wait for shutdown."""
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        print("This is a Terraform provider plugin: Terraform starts it; do not run it directly.", file=sys.stderr)
        return 1
    stopped = threading.Event()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    schema = load_schema()
    provider = OfflineProvider(schema, schema_cache_path().with_suffix(".pb"))
    rpc.add_ProviderServicer_to_server(provider, server)
    controller_rpc.add_GRPCControllerServicer_to_server(_Controller(stopped), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(_Stdio(), server)
    key_pem, cert_pem, cert_der = server_certificate()
    # Terraform's TLS client presents PLUGIN_CLIENT_CERT only on request, and gRPC's C core
    # cannot verify it against a bare self-signed cert; the port is bound to 127.0.0.1 only.
    credentials = grpc.ssl_server_credentials([(key_pem, cert_pem)], require_client_auth=False)
    port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    cert_b64 = base64.b64encode(cert_der).decode().rstrip("=")
    print(f"1|6|tcp|127.0.0.1:{port}|grpc|{cert_b64}", flush=True)
    stopped.wait()
    server.stop(grace=_SHUTDOWN_GRACE_SECONDS)
    time.sleep(_SHUTDOWN_GRACE_SECONDS)
    # Skip interpreter teardown (joining gRPC threads costs ~0.3 s per provider process).
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(serve())
