"""The one tag precedence on synthesized jobs, serving endpoints and pipelines: a project tag never
overrides the platform's keys (owner, project, environment, cost_center) on any unit."""

from __future__ import annotations

from pathlib import Path

from support import edit_yaml, synth_config


def test_project_tags_do_not_override_platform_keys_anywhere(config_copy: Path, tmp_path: Path):
    def change(data: dict) -> None:
        data["tags"] = {"owner": "spoofed@example.com", "environment": "prod", "team": "churn"}

    edit_yaml(config_copy, "projects/churn.yaml", change)
    synth = synth_config(config_copy, tmp_path / "out")
    for env in ("dev", "staging", "prod"):
        endpoint_tags = [{t["key"]: t["value"] for t in r["tags"]}
                         for r in synth.resources(env, "databricks_model_serving").values()]
        job_tags = [r["tags"] for r in synth.resources(env, "databricks_job").values()]
        pipeline_tags = [r["tags"] for r in synth.resources(env, "databricks_pipeline").values()]
        assert len(endpoint_tags) == 1 and len(job_tags) == 8 and len(pipeline_tags) == 1  # 4 ML jobs, 4 alert schedules
        for tags in endpoint_tags + job_tags + pipeline_tags:
            assert tags["owner"] == "churn-team@example.com", (env, tags)
            assert tags["environment"] == env
            assert tags["team"] == "churn"  # the project tag itself is kept
