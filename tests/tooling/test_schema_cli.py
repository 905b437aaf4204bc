"""`mlops schema [--out DIR] [--check]`: writes both schemas, all or nothing; an unwritable
path is exit 2 with a clear message and leaves nothing half-written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlops_tools import schema_command as schema_tool
from mlops_tools.cli import main, parser
from support import ROOT

NAMES = sorted([schema_tool.ENVIRONMENT_FILE, schema_tool.PROJECT_FILE])


def listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_writes_both_schemas_as_committed(tmp_path: Path, capsys) -> None:
    out = tmp_path / "new" / "schemas"  # missing folders are created
    assert main(["schema", "--out", str(out)]) == 0
    assert capsys.readouterr().out.split() == [str(out / name) for name in NAMES]
    assert listing(out) == {name: (ROOT / "schemas" / name).read_bytes() for name in NAMES}
    assert oct((out / NAMES[0]).stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_rewrites_a_stale_file_and_leaves_a_current_one(tmp_path: Path) -> None:
    assert main(["schema", "--out", str(tmp_path)]) == 0
    env, project = (tmp_path / name for name in NAMES)
    env.write_text("{}\n")
    before = project.stat().st_mtime_ns
    assert main(["schema", "--out", str(tmp_path)]) == 0
    assert env.read_bytes() == (ROOT / "schemas" / NAMES[0]).read_bytes()
    assert project.stat().st_mtime_ns == before


def test_check_reports_stale_files_with_the_regeneration_command(tmp_path: Path, capsys) -> None:
    assert main(["schema", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["schema", "--check", "--out", str(tmp_path)]) == 0
    (tmp_path / NAMES[1]).write_text("{}\n")
    assert main(["schema", "--check", "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / NAMES[1]}: missing or stale; regenerate with: mlops schema" in out
    assert NAMES[0] not in out
    assert (tmp_path / NAMES[1]).read_text() == "{}\n"  # --check writes nothing


def test_committed_schemas_pass_check(capsys) -> None:
    assert main(["schema", "--check", "--out", str(ROOT / "schemas")]) == 0


def _refused(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.out == ""
    assert "nothing was written" in captured.err
    return captured.err


def test_a_file_in_the_way_is_exit_2(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "schemas"
    blocker.write_text("not a folder")
    err = _refused(capsys, ["schema", "--out", str(blocker)])
    assert f"error: {blocker} cannot write the schemas here: it is a file, not a folder" in err
    assert blocker.read_text() == "not a folder"


def test_a_path_below_a_file_is_exit_2(tmp_path: Path, capsys) -> None:
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "schemas"
    err = _refused(capsys, ["schema", "--out", str(out)])
    assert f"error: {out} cannot write the schemas: Not a directory" in err
    assert listing(tmp_path) == {"file": b"x"}


def test_a_folder_where_a_schema_goes_is_exit_2_and_nothing_is_written(tmp_path: Path, capsys) -> None:
    (tmp_path / NAMES[1]).mkdir()
    err = _refused(capsys, ["schema", "--out", str(tmp_path)])
    assert f"error: {tmp_path / NAMES[1]} cannot write the schema: a folder is in the way" in err
    assert listing(tmp_path) == {}  # the environment schema, written first, was not moved into place


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_exit_2(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        err = _refused(capsys, ["schema", "--out", str(folder / "schemas")])
        assert "cannot write the schemas: Permission denied" in err
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_a_failure_while_writing_leaves_the_previous_files_and_no_temporary_file(tmp_path: Path, capsys,
                                                                                 monkeypatch) -> None:
    """A read-only file system or a full disk, as the OS reports it (also where root cannot
    write): the files already there stay as they were, no temporary file or new folder is left."""
    old = tmp_path / "old"
    old.mkdir()
    for name in NAMES:
        (old / name).write_text("{}\n")
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 1:
            raise OSError(30, "Read-only file system")
        return real_replace(src, dst)

    monkeypatch.setattr(schema_tool.os, "replace", failing_replace)
    err = _refused(capsys, ["schema", "--out", str(old)])
    assert f"error: {old} cannot write the schemas: Read-only file system" in err
    assert listing(old) == {name: b"{}\n" for name in NAMES}
    monkeypatch.setattr(schema_tool.os, "fdopen", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    new = tmp_path / "a" / "b"
    err = _refused(capsys, ["schema", "--out", str(new)])
    assert "No space left on device" in err
    assert listing(tmp_path) == {f"old/{name}": b"{}\n" for name in NAMES}
    assert not (tmp_path / "a").exists()  # the folders it created are removed again


def test_help_lists_schema_once() -> None:
    text = parser().format_help()
    assert text.count("    schema ") == 1
    assert "--out DIR" in parser()._subparsers._group_actions[0].choices["schema"].format_help()
