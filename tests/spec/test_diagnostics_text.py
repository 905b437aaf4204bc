"""How a diagnostic reads on one line (databricks_spec.diagnostics.Diagnostic.__str__)."""

from databricks_spec.diagnostics import Diagnostic


def test_a_key_without_a_file_starts_the_line() -> None:
    assert str(Diagnostic("", 0, "--dev-user", "bad name")) == "--dev-user: bad name"


def test_a_key_after_a_location_is_separated_by_one_space() -> None:
    assert str(Diagnostic("config/dev.yaml", 3, "backend.type", "bad")) == "config/dev.yaml:3 backend.type: bad"


def test_no_key_no_file_is_the_summary() -> None:
    assert str(Diagnostic("", 0, "", "bad")) == "bad"
