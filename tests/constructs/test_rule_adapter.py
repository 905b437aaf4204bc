"""The construct adapter: token-awareness decided in Python agrees with the engine, and a
refusal is a ConstructError carrying the construct's path."""

from __future__ import annotations

import pytest

from databricks_spec.diagnostics import ConstructError
from databricks_spec.rules import unresolved


@pytest.fixture(scope="module")
def stack():
    import cdktf
    import mlops_constructs  # noqa: F401  (jsii environment)

    return cdktf.TerraformStack(cdktf.Testing.app(), "checks")


def test_python_token_check_agrees_with_the_engine(stack):
    from mlops_engine import Token
    from mlops_engine.databricks import Job

    job = Job(stack, "probe", name="probe")
    samples = [job.id, f"prefix-{job.id}", job.url, Token.as_number(job.id), Token.as_list(job.id),
               "plain", "${var.literal}", 3.0, ["a"]]
    assert [unresolved(s) for s in samples] == [Token.is_unresolved(s) for s in samples]
    assert sum(unresolved(s) for s in samples) == 5


def test_a_refusal_names_the_construct_and_skips_tokens(stack):
    from mlops_constructs.job import MlJob, MlJobProps, NotebookCode, TaskSpec
    from mlops_engine.databricks import Job

    with pytest.raises(ConstructError) as info:
        MlJob(stack, "bad", MlJobProps(name="j", tasks=(TaskSpec(key="t", action=NotebookCode(path="nb")),)))
    text = str(info.value)
    assert text.startswith("checks/bad task.t: relative path 'nb' needs git_source"), text
    assert isinstance(info.value, ValueError)
    # a path known only at plan time (a token) is left to the provider
    token = Job(stack, "source", name="source").url  # any attribute known only at plan time
    MlJob(stack, "ok", MlJobProps(name="j", tasks=(TaskSpec(key="t", action=NotebookCode(path=token)),)))
