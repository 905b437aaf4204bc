"""The risky-change corpus: every flag and exit code of the review, on REAL plan JSON.

Each group is a base and a head stack; as `change-review` does, the base is applied offline
into a scratch state and the head is planned against it (``change_review.review_stack``). The
changes are batched: one apply and one plan per group, groups in parallel.

Groups:
* ``corpus``: creates, deletes, renames, replacements (planned and predicted), grants, ACLs,
  permissions, identities (run_as, owner, entitlements, group membership) and two negative
  controls (a schedule update and a plain create flag nothing);
* ``protected``: prevent_destroy protects resources the head would replace: Terraform refuses
  the plan; the review names each resource and why, and exits 3 even with --allow-destroy;
* ``unprotect``: the head turns prevent_destroy off (only change-review can see it);
* ``lay`` -> ``lay-platform``: a layout change moves resources to another stack: all deletes in
  the removed stack, all creates in the new one, with a hint to move the state;
* ``broken``: a head that does not validate: a failed stack, never "no changes".
"""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from delivery_support import write_stack

from mlops_tools.review import change_review
from mlops_tools.review.markdown import render
from mlops_tools.review.plan_review import (DATA_LOSS, DOWNTIME, EXIT_DESTRUCTIVE, EXIT_FAILED, EXIT_OK,
                                            IDENTITY, PROTECTION, REFUSED, RENAME, REPLACEMENT, SECURITY,
                                            Review, StackReview, cross_stack_moves)
from mlops_tools.review.stacks import SynthStack

pytestmark = pytest.mark.terraform

SP_A, SP_B = "0a0a0a0a-1111-4222-8333-444444444444", "0b0b0b0b-1111-4222-8333-444444444444"
PROTECT = {"lifecycle": {"prevent_destroy": True}}

CORPUS_BASE: dict[str, Any] = {
    "databricks_catalog": {"keep": {"name": "keep"}, "sandbox": {"name": "sandbox"}},
    "databricks_schema": {
        "renamed": {"catalog_name": "main", "name": "features"},
        "owned": {"catalog_name": "main", "name": "owned", "owner": "ml-engineers"},
    },
    "databricks_registered_model": {
        "deleted": {"catalog_name": "main", "schema_name": "ml", "name": "old_model"},
        "renamed": {"catalog_name": "main", "schema_name": "ml", "name": "churn"},
    },
    "databricks_volume": {
        "moved": {"catalog_name": "main", "schema_name": "ml", "name": "raw", "volume_type": "MANAGED"},
        "external": {"catalog_name": "main", "schema_name": "ml", "name": "ext", "volume_type": "MANAGED"},
    },
    "databricks_mlflow_experiment": {"old_id": {"name": "/Shared/churn"}},
    "databricks_secret_scope": {"scope": {"name": "mlops"}},
    "databricks_secret_acl": {"acl": {"scope": "shared", "principal": "analysts", "permission": "READ"}},
    "databricks_model_serving": {"endpoint": {"name": "churn"}, "gone": {"name": "legacy"}},
    "databricks_external_location": {
        "landing": {"name": "landing", "url": "abfss://landing@acme.dfs.core.windows.net/", "credential_name": "c"}},
    "databricks_grants": {"keep": {"catalog": "keep", "grant": [{"principal": "analysts",
                                                                 "privileges": ["USE_CATALOG"]}]}},
    "databricks_permissions": {"job": {"job_id": "123", "access_control": [
        {"group_name": "analysts", "permission_level": "CAN_VIEW"}]}},
    "databricks_job": {
        "runs": {"name": "train", "run_as": {"service_principal_name": SP_A}},
        "schedule": {"name": "score", "schedule": {"quartz_cron_expression": "0 0 6 * * ?", "timezone_id": "UTC"}},
    },
    "databricks_pipeline": {"dlt": {"name": "features", "run_as": {"service_principal_name": SP_A}}},
    "databricks_service_principal": {"runner": {"display_name": "runner", "workspace_access": True}},
    "databricks_group": {"team": {"display_name": "team"}},
    "databricks_group_member": {"old_member": {"group_id": "g1", "member_id": "m1"}},
    "databricks_entitlements": {"users": {"group_id": "users-id", "workspace_access": True}},
}


def corpus_head() -> dict[str, Any]:
    head = copy.deepcopy(CORPUS_BASE)
    r = head
    r["databricks_catalog"]["sandbox"]["name"] = "sandbox_v2"                      # immutable: predicted
    r["databricks_catalog"]["created"] = {"name": "new_cat"}                       # plain create
    r["databricks_schema"]["renamed"]["name"] = "features_v2"                      # replace
    r["databricks_schema"]["owned"]["owner"] = "someone@example.com"               # owner
    del r["databricks_registered_model"]["deleted"]                                # delete
    r["databricks_registered_model"]["renamed"]["name"] = "churn_v2"               # replace
    r["databricks_volume"]["moved"]["schema_name"] = "landing"                     # move: replace
    r["databricks_volume"]["external"].update(volume_type="EXTERNAL",              # external: replace
                                              storage_location="abfss://x@acme.dfs.core.windows.net/ext")
    r["databricks_mlflow_experiment"]["new_id"] = r["databricks_mlflow_experiment"].pop("old_id")  # id rename
    r["databricks_secret_scope"]["scope"]["name"] = "mlops_v2"                     # secrets lost
    r["databricks_secret_acl"]["acl"]["permission"] = "MANAGE"                     # ACL
    r["databricks_model_serving"]["endpoint"]["name"] = "churn-v2"                 # downtime
    del r["databricks_model_serving"]["gone"]                                      # downtime (delete)
    r["databricks_external_location"]["landing"]["name"] = "landing_raw"           # forced replacement
    r["databricks_grants"]["keep"]["grant"].append({"principal": "ml-engineers", "privileges": ["USE_CATALOG"]})
    r["databricks_grants"]["created"] = {"catalog": "new_cat", "grant": [          # grant on a new catalog
        {"principal": "analysts", "privileges": ["USE_CATALOG"]}]}
    r["databricks_permissions"]["job"]["access_control"][0]["permission_level"] = "CAN_MANAGE_RUN"
    r["databricks_job"]["runs"]["run_as"] = {"user_name": "alice@example.com"}    # run_as
    r["databricks_job"]["schedule"]["schedule"]["quartz_cron_expression"] = "0 0 7 * * ?"  # no risk
    r["databricks_pipeline"]["dlt"]["run_as"] = {"service_principal_name": SP_B}   # run_as
    r["databricks_service_principal"]["runner"]["allow_cluster_create"] = True     # entitlement on
    r["databricks_service_principal"]["admin"] = {"display_name": "admin", "allow_cluster_create": True}
    r["databricks_group"]["team"].update(workspace_access=True, databricks_sql_access=True)
    r["databricks_group_member"] = {"new_member": {"group_id": "g1", "member_id": "m2"}}  # leaves + joins
    r["databricks_entitlements"]["users"]["allow_instance_pool_create"] = True
    return head


PROTECTED_BASE = {
    "databricks_schema": {"ml": {"catalog_name": "main", "name": "ml", **PROTECT}},
    "databricks_registered_model": {"model": {"catalog_name": "main", "schema_name": "ml", "name": "churn",
                                              **PROTECT}},
    "databricks_volume": {"raw": {"catalog_name": "main", "schema_name": "ml", "name": "raw",
                                  "volume_type": "MANAGED", **PROTECT}},
    "databricks_grants": {"ml": {"schema": "main.ml", "grant": [{"principal": "analysts",
                                                                 "privileges": ["USE_SCHEMA"]}]}},
}


def protected_head() -> dict[str, Any]:
    head = copy.deepcopy(PROTECTED_BASE)
    head["databricks_registered_model"]["model"]["name"] = "churn_v2"              # refused
    head["databricks_volume"]["raw"].update(volume_type="EXTERNAL",               # refused
                                            storage_location="abfss://x@acme.dfs.core.windows.net/raw")
    head["databricks_grants"]["ml"]["grant"][0]["privileges"] = ["USE_SCHEMA", "SELECT"]
    return head


UNPROTECT_BASE = {
    "databricks_catalog": {"prod": {"name": "prod", **PROTECT}},
    "databricks_schema": {"ml": {"catalog_name": "prod", "name": "ml", **PROTECT}},
}


def unprotect_head() -> dict[str, Any]:
    head = copy.deepcopy(UNPROTECT_BASE)
    head["databricks_catalog"]["prod"]["lifecycle"]["prevent_destroy"] = False   # override with a reason
    del head["databricks_schema"]["ml"]["lifecycle"]                               # protection dropped
    return head


LAYOUT = {"databricks_schema": {"features": {"catalog_name": "main", "name": "features"}},
          "databricks_registered_model": {"model": {"catalog_name": "main", "schema_name": "features",
                                                    "name": "churn"}}}
BROKEN_BASE = {"databricks_catalog": {"c": {"name": "c"}}}
BROKEN_HEAD = {"databricks_catalog": {"c": {"name": "c", "no_such_argument": True}}}

# (stack, address, kind, text the message must contain)
EXPECTED = [
    ("corpus", "databricks_catalog.sandbox", DATA_LOSS, "replaced (predicted: `name` changed"),
    ("corpus", "databricks_schema.renamed", DATA_LOSS, "replaced (`name` changed [schema.md"),
    ("corpus", "databricks_schema.owned", IDENTITY, "owner changes from `ml-engineers` to `someone@example.com`"),
    ("corpus", "databricks_registered_model.deleted", DATA_LOSS, "deleted (removed from the configuration)"),
    ("corpus", "databricks_registered_model.renamed", DATA_LOSS, "all its versions and aliases"),
    ("corpus", "databricks_volume.moved", DATA_LOSS, "replaced (`schema_name` changed"),
    ("corpus", "databricks_volume.external", DATA_LOSS, "`volume_type`"),
    ("corpus", "databricks_mlflow_experiment.old_id", DATA_LOSS, "runs, metrics and artifacts"),
    ("corpus", "databricks_mlflow_experiment.old_id", RENAME, "`moved` block"),
    ("corpus", "databricks_secret_scope.scope", DATA_LOSS, "its secrets are lost"),
    ("corpus", "databricks_secret_acl.acl", SECURITY, "`analysts: +MANAGE -READ`"),
    ("corpus", "databricks_model_serving.endpoint", DOWNTIME, "requests fail meanwhile"),
    ("corpus", "databricks_model_serving.gone", DOWNTIME, "every client that calls it fails"),
    ("corpus", "databricks_external_location.landing", REPLACEMENT, "replaced (`name` changed"),
    ("corpus", "databricks_grants.keep", SECURITY, "`ml-engineers: +USE_CATALOG`"),
    ("corpus", "databricks_grants.created", SECURITY, "`analysts: +USE_CATALOG`"),
    ("corpus", "databricks_permissions.job", SECURITY, "`analysts: +CAN_MANAGE_RUN -CAN_VIEW`"),
    ("corpus", "databricks_job.runs", IDENTITY,
     f"now runs as user `alice@example.com` (was: service principal `{SP_A}`)"),
    ("corpus", "databricks_pipeline.dlt", IDENTITY,
     f"pipeline now runs as service principal `{SP_B}` (was: service principal `{SP_A}`)"),
    ("corpus", "databricks_service_principal.runner", IDENTITY, "service principal entitlements +allow_cluster_create"),
    ("corpus", "databricks_service_principal.admin", IDENTITY, "created: service principal entitlements "
                                                               "+allow_cluster_create"),
    ("corpus", "databricks_group.team", IDENTITY, "group entitlements +databricks_sql_access +workspace_access"),
    ("corpus", "databricks_group_member.old_member", IDENTITY, "member `m1` leaves group `g1`"),
    ("corpus", "databricks_group_member.old_member", RENAME, "`databricks_group_member.new_member`"),
    ("corpus", "databricks_group_member.new_member", IDENTITY, "member `m2` joins group `g1`"),
    ("corpus", "databricks_entitlements.users", IDENTITY, "principal entitlements +allow_instance_pool_create"),
    ("protected", "databricks_registered_model.model", REFUSED,
     "would be replaced (`name` changed [registered_model.md"),
    ("protected", "databricks_volume.raw", REFUSED, "would be replaced (`volume_type`, `storage_location` changed"),
    ("protected", "databricks_grants.ml", SECURITY, "`analysts: +SELECT`"),
    ("unprotect", "databricks_catalog.prod", PROTECTION, "(`prod`): lifecycle.prevent_destroy is turned off"),
    ("unprotect", "databricks_schema.ml", PROTECTION, "lifecycle.prevent_destroy is turned off"),
    ("lay", "databricks_schema.features", DATA_LOSS, "deleted"),
    ("lay", "databricks_schema.features", RENAME, "created in stack `lay-platform`"),
    ("lay", "databricks_registered_model.model", DATA_LOSS, "deleted"),
    ("lay", "databricks_registered_model.model", RENAME, "created in stack `lay-platform`"),
]
EXIT = {  # group -> (exit code, exit code with --allow-destroy)
    "corpus": (EXIT_DESTRUCTIVE, EXIT_OK),
    "protected": (EXIT_DESTRUCTIVE, EXIT_DESTRUCTIVE),  # Terraform refuses: nothing can be applied
    "unprotect": (EXIT_DESTRUCTIVE, EXIT_OK),
    "lay": (EXIT_DESTRUCTIVE, EXIT_OK),
    "lay-platform": (EXIT_OK, EXIT_OK),
    "broken": (EXIT_FAILED, EXIT_FAILED),
}


@dataclass
class Corpus:
    stacks: dict[str, StackReview]
    review: Review


@pytest.fixture(scope="module")
def corpus(offline_terraform, tmp_path_factory) -> Corpus:
    tmp = tmp_path_factory.mktemp("corpus")

    def pair(name: str, base: dict | None, head: dict | None):
        b = SynthStack(name, write_stack(tmp / "base" / name, base), ()) if base is not None else None
        h = SynthStack(name, write_stack(tmp / "head" / name, head), ()) if head is not None else None
        return name, b, h

    pairs = [pair("corpus", CORPUS_BASE, corpus_head()), pair("protected", PROTECTED_BASE, protected_head()),
             pair("unprotect", UNPROTECT_BASE, unprotect_head()), pair("lay", LAYOUT, None),
             pair("lay-platform", None, LAYOUT), pair("broken", BROKEN_BASE, BROKEN_HEAD)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        reviews = list(pool.map(lambda p: change_review.review_stack(*p, tmp / "scratch"), pairs))
    reviews = cross_stack_moves(reviews)
    return Corpus({r.stack: r for r in reviews}, Review(reviews, lifecycle_checked=True))


def test_the_corpus_has_at_least_25_risky_changes():
    assert len({(s, a) for s, a, _, _ in EXPECTED}) >= 25


@pytest.mark.parametrize("stack,address,kind,needle", EXPECTED, ids=[f"{e[2]}:{e[1]}" for e in EXPECTED])
def test_every_risky_change_is_flagged(corpus, stack, address, kind, needle):
    hits = [r for r in corpus.stacks[stack].risks if r.address == address and r.kind == kind]
    assert len(hits) == 1, [str(r) for r in corpus.stacks[stack].risks]
    assert needle in hits[0].message, hits[0].message
    assert hits[0].blocking == (kind in (DATA_LOSS, PROTECTION, REFUSED))


def test_nothing_else_is_flagged(corpus):
    flagged = {(r.stack, r.address, r.kind) for r in corpus.review.risks}
    assert flagged == {(s, a, k) for s, a, k, _ in EXPECTED}
    corpus_stack = corpus.stacks["corpus"]
    quiet = {c.address: c for c in corpus_stack.changes}
    assert quiet["databricks_job.schedule"].action == "update"       # negative controls: real changes,
    assert quiet["databricks_catalog.created"].action == "create"    # nothing risky about them


@pytest.mark.parametrize("group", sorted(EXIT))
def test_exit_codes(corpus, group):
    stack = corpus.stacks[group]
    assert Review([stack]).exit_code == EXIT[group][0]
    assert Review([stack], allow_destroy=True).exit_code == EXIT[group][1]


def test_a_refused_plan_names_each_protected_resource_and_why(corpus):
    protected = corpus.stacks["protected"]
    assert protected.status == "refused" and not protected.failed
    assert protected.refused == ("databricks_registered_model.model", "databricks_volume.raw")
    assert "Instance cannot be destroyed" in protected.error
    assert not [r for r in protected.risks if r.kind == DATA_LOSS]  # the refusal replaces the data-loss flag
    text = render(Review([protected]))
    assert "plan refused by Terraform (prevent_destroy)" in text and "`--allow-destroy` cannot lift this" in text
    assert "no changes" not in text


def test_a_failed_stack_is_counted_first_never_as_no_changes(corpus):
    broken = corpus.stacks["broken"]
    assert broken.failed and broken.counts() == {}
    text = render(corpus.review)
    headline = text.splitlines()[2]
    assert headline.startswith("6 stack(s): 1 failed (`broken`), 1 refused (`protected`); the other 4: ")
    assert "#### `broken`: plan failed" in text and "| `broken` | ? | ? | ? | ? |" in text
    assert "#### `broken`: no changes" not in text
    assert corpus.review.exit_code == EXIT_FAILED


def test_only_change_review_sees_lifecycle(corpus):
    assert "cannot see `prevent_destroy`" not in render(corpus.review)
    assert "cannot see `prevent_destroy`" in render(Review(list(corpus.stacks.values())))  # plain `review`


def test_plain_review_of_a_refused_plan_from_terraform_output(corpus, tmp_path, capsys):
    """CI's real plan fails the same way; `review --plan-error` reads Terraform's output as data."""
    from mlops_tools.cli import main

    log = tmp_path / "prod.error.txt"
    log.write_text(corpus.stacks["protected"].error)
    assert main(["review", "--plans-dir", str(tmp_path)]) == EXIT_DESTRUCTIVE
    out = capsys.readouterr().out
    assert "`databricks_registered_model.model` would be destroyed" in out and "plan refused" in out
    assert main(["review", "--allow-destroy", "--plan-error", f"prod={log}"]) == EXIT_DESTRUCTIVE
