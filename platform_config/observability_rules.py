"""The observability rules that need the environment a project deploys to.

Part of the same concept as ``platform_config.observability`` (the models), split out like
``platform_config.pipeline_rules``: every warehouse, notification destination, monitor, endpoint
and table a project's observability (and its jobs' notifications) names must exist.
``platform_config.environment_rules`` calls :func:`project_observability_problems` once per
(project, environment); each key path starts at the project file's root.
"""

from __future__ import annotations

from typing import Any

from databricks_spec.formats import is_email
from platform_config.governance import UUID
from platform_config.observability import ProjectObservabilityConfig, environment_warehouse, unknown_message


def destination_problems(targets: list[str], env: Any, loc: tuple, *, emails: bool) -> list[tuple[tuple, str]]:
    """Every target that is neither a UUID, an e-mail (when ``emails``) nor a destination key."""
    out = []
    known = env.notification_destinations
    for i, target in enumerate(targets):
        if UUID.match(target) or (emails and is_email(target)):
            continue
        if target not in known:
            out.append((loc + (i,), unknown_message("notification destination", target, known,
                                             "notification_destinations")))
    return out


def project_observability_problems(project: Any, env: Any) -> list[tuple[tuple, str]]:
    """(key path, message) for every reference the project's observability and jobs make
    that its environment or the project cannot satisfy."""
    errors: list[tuple[tuple, str]] = []
    obs: ProjectObservabilityConfig = project.observability
    warehouses = env.sql_warehouses
    root = ("observability",)
    for loc, key in ((root + ("warehouse",), obs.warehouse),
                     (root + ("dashboard", "warehouse"), obs.dashboard.warehouse if obs.dashboard else None)):
        if key is not None and key not in warehouses:
            errors.append((loc, unknown_message("warehouse", key, warehouses, "sql_warehouses")))
    needs_warehouse = bool(obs.alerts) or (obs.dashboard is not None and obs.dashboard.enabled)
    if needs_warehouse and obs.warehouse is None and environment_warehouse(env) is None and not (
            obs.dashboard and obs.dashboard.warehouse and not obs.alerts):
        errors.append((root, "dashboards and alerts need a SQL warehouse: declare sql_warehouses in the "
                             f"environment '{env.name}' (and observability.warehouse when there are several)"))
    errors += destination_problems(obs.notify, env, root + ("notify",), emails=True)
    monitors = {k: m for k, m in project.monitors.items()}
    endpoints = project.serving.endpoints
    retraining = project.jobs.retraining
    for key, alert in obs.alerts.items():
        loc = root + ("alerts", key)
        if alert.notify is not None:
            errors += destination_problems(alert.notify, env, loc + ("notify",), emails=True)
        if alert.monitor is not None:
            if alert.monitor not in monitors:
                errors.append((loc + ("monitor",), unknown_message("monitor", alert.monitor, monitors, "monitors")))
            elif not monitors[alert.monitor].enabled:
                errors.append((loc + ("monitor",), f"monitor '{alert.monitor}' is disabled here; disable the "
                                                   "alert too"))
        if alert.endpoint is not None and alert.endpoint not in endpoints:
            errors.append((loc + ("endpoint",), unknown_message("serving endpoint", alert.endpoint, endpoints,
                                                         "serving.endpoints")))
        if alert.type == "drift":
            if retraining is not None and alert.threshold is not None:
                errors.append((loc + ("threshold",),
                               "the drift alert fires at jobs.retraining.drift.threshold "
                               f"({retraining.drift.threshold:g}), the one number retraining uses too; "
                               "remove threshold here"))
            if retraining is not None and alert.metric is not None and alert.metric != retraining.drift.metric:
                errors.append((loc + ("metric",), f"the drift alert checks the retraining metric "
                                                  f"'{retraining.drift.metric}'; remove metric here"))
            if retraining is None and alert.threshold is None:
                errors.append((loc + ("threshold",), "without a retraining job the drift alert needs its "
                                                     "threshold"))
            if alert.monitor is None and retraining is None:
                errors.append((loc + ("monitor",), "name the monitor whose drift metrics the alert reads"))
            if alert.monitor is not None and alert.monitor in monitors and monitors[alert.monitor].snapshot \
                    is not None and monitors[alert.monitor].baseline_table is None:
                errors.append((loc + ("monitor",), f"monitor '{alert.monitor}' is a snapshot without "
                                                   "baseline_table: it computes no drift"))
    for event, targets in _job_destinations(project):
        errors += destination_problems(targets.destinations, env, event + ("destinations",), emails=False)
    errors += _email_target_problems(project, env)
    return errors


def _email_target_problems(project: Any, env: Any) -> list[tuple[tuple, str]]:
    """Monitors, endpoints and pipelines notify by e-mail (provider: quality_monitor, model_serving,
    pipeline `notification`): a
    destination they name must be an email destination of the environment."""
    out = []
    known = env.notification_destinations
    emails = sorted(k for k, d in known.items() if d.type == "email" and d.id is None)
    lists = [(("monitors", k, "notifications", e), getattr(m.notifications, e))
             for k, m in project.monitors.items() for e in ("on_failure", "on_new_classification_tag_detected")]
    lists += [(("serving", "endpoints", k, "notifications", e), getattr(ep.notifications, e))
              for k, ep in project.serving.endpoints.items() for e in ("on_update_failure", "on_update_success")]
    lists += [(("pipelines", k, "notifications", i, "emails"), n.emails)  # pipeline `notification` blocks
              for k, pipeline in project.pipelines.items() for i, n in enumerate(pipeline.notifications)]
    for loc, values in lists:
        for i, value in enumerate(values):
            if "@" in value:
                continue
            if value not in known:
                out.append((loc + (i,), unknown_message("notification destination", value, known, "notification_destinations")))
            elif value not in emails:
                out.append((loc + (i,), f"'{value}' is a {known[value].type or 'referenced'} destination; monitors, "
                                        "serving endpoints and pipelines notify by e-mail only: name an email destination "
                                        f"(email destinations: {', '.join(emails) or 'none'})"))
    return out


def _job_destinations(project: Any):
    """(key path, EventTargets) of every job notification event in the project's jobs."""
    jobs = project.jobs
    sections = [(("jobs",), jobs)] + [(("jobs", kind), job) for kind, job in jobs.enabled_jobs()]
    for loc, holder in sections:
        notifications = getattr(holder, "notifications", None)
        if notifications is None:
            continue
        for event in type(notifications).model_fields:
            targets = getattr(notifications, event)
            if targets is not None and getattr(targets, "destinations", None):
                yield loc + ("notifications", event), targets
