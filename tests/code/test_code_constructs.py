"""The code-delivery constructs from hand-written props: what they emit and what they refuse."""

from __future__ import annotations

import pytest

from databricks_spec.diagnostics import ConstructError
from mlops_constructs.git_credential import GitCredentialProps, GitCredentialUnit
from mlops_constructs.volume_files import VolumeFileSpec, VolumeFiles, VolumeFilesProps
from mlops_constructs.workspace_code import WorkspaceCode, WorkspaceCodeFileSpec, WorkspaceCodeProps
from mlops_engine import TerraformVariable

NB = WorkspaceCodeFileSpec(id="nb", path="/Shared/x/Train", content_base64="IyBE", md5="0" * 32, kind="notebook",
                           language="PYTHON")
FILE = WorkspaceCodeFileSpec(id="f", path="/Shared/x/a.py", content_base64="cHJpbnQ=", md5="1" * 32)


def test_workspace_code_emits_one_resource_per_file(synth_construct):
    doc = synth_construct(lambda s: WorkspaceCode(s, "code", WorkspaceCodeProps(files=(NB, FILE))))
    (nb,) = doc["resource"]["databricks_notebook"].values()
    (f,) = doc["resource"]["databricks_workspace_file"].values()
    assert {k: v for k, v in nb.items() if k != "//"} == {
        "content_base64": "IyBE", "language": "PYTHON", "md5": "0" * 32, "path": "/Shared/x/Train"}
    assert f["path"] == "/Shared/x/a.py" and f["md5"] == "1" * 32


@pytest.mark.parametrize("files,message", [
    ((), "no files"),
    ((FILE, FILE), "duplicate"),
    ((WorkspaceCodeFileSpec(id="r", path="relative.py", content_base64="", md5=""),), "absolute"),
    ((WorkspaceCodeFileSpec(id="n", path="/x", content_base64="", md5="", kind="notebook"),), "language"),
])
def test_workspace_code_refusals(synth_construct, files, message):
    with pytest.raises(ConstructError, match=message):
        synth_construct(lambda s: WorkspaceCode(s, "code", WorkspaceCodeProps(files=files)))


def test_volume_files_need_a_volume_path(synth_construct):
    with pytest.raises(ConstructError, match="Unity Catalog volume"):
        synth_construct(lambda s: VolumeFiles(s, "w", VolumeFilesProps(files=(
            VolumeFileSpec(id="w", path="/Workspace/x.whl", content_base64="", md5=""),))))


def test_git_credential_refuses_a_literal_token(synth_construct):
    with pytest.raises(ConstructError, match="sensitive Terraform variable"):
        synth_construct(lambda s: GitCredentialUnit(s, "g", GitCredentialProps(
            git_provider="gitHub", personal_access_token="ghp_literal")))


def test_git_credential_takes_the_token_from_a_variable(synth_construct):
    def build(s):
        token = TerraformVariable(s, "tok", type="string", sensitive=True)
        GitCredentialUnit(s, "g", GitCredentialProps(git_provider="gitLab", personal_access_token=token.string_value,
                                                     git_username="bot"))
    doc = synth_construct(build)
    (cred,) = doc["resource"]["databricks_git_credential"].values()
    assert cred["personal_access_token"] == "${var.tok}" and cred["git_provider"] == "gitLab"
    with pytest.raises(ConstructError, match="unknown git_provider"):
        synth_construct(lambda s: GitCredentialUnit(s, "g", GitCredentialProps(
            git_provider="svn", personal_access_token=TerraformVariable(s, "t", type="string").string_value)))


@pytest.mark.parametrize("rtype", ["databricks_workspace_file", "databricks_notebook", "databricks_file"])
def test_a_content_change_is_in_place_and_a_new_path_replaces(rtype):
    from databricks_spec.replacement_rules import forcing_changes

    before = {"path": "/Shared/x/a", "content_base64": "YQ==", "md5": "1" * 32}
    assert forcing_changes(rtype, before, {**before, "content_base64": "Yg==", "md5": "2" * 32}) == []
    assert [r.attribute for r in forcing_changes(rtype, before, {**before, "path": "/Shared/y/a"})] == ["path"]
