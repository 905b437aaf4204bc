# Databricks notebook source
"""Churn ingestion pipeline: Auto Loader (cloudFiles) from the raw_extracts volume into
streaming tables, with the data quality rules declared in config/projects/churn.yaml.

This file is the example of the configuration contract (docs/pipelines.md): it
hard-codes no table, path, format or rule. The platform writes them into the
pipeline's configuration and this code reads them:

    mlops.ingest.tables                          crm_customers,product_usage
    mlops.ingest.<table>.source                  /Volumes/<catalog>/churn_features/raw_extracts/crm
    mlops.ingest.<table>.format                  csv
    mlops.ingest.<table>.options                 {"header":"true"}            (JSON, optional)
    mlops.ingest.<table>.schema_hints            customer_id BIGINT, ...      (optional)
    mlops.ingest.<table>.schema_evolution_mode   addNewColumns                (optional)
    mlops.ingest.<table>.comment                 CRM customer snapshots       (optional)
    mlops.expectations.<table>                   {"<name>":{"action":"drop","expression":"..."}}

Put it in the ML code repository at pipelines/ingest_churn.py (the path the
example's `libraries` names, checked out from jobs.git_source).
"""

import json

import dlt  # provided by the Lakeflow Declarative Pipelines runtime

PREFIX = "mlops"

#: Expectation action -> the dlt decorator applying a set of rules with it.
APPLY = {"warn": dlt.expect_all, "drop": dlt.expect_all_or_drop, "fail": dlt.expect_all_or_fail}


def conf(key, default=None):
    """A configuration value of the pipeline (``spark`` is a global of the pipeline runtime)."""
    return spark.conf.get(key, default)  # noqa: F821


def reader_options(table):
    """Auto Loader options for one ingest table, from mlops.ingest.<table>.*."""
    key = f"{PREFIX}.ingest.{table}."
    options = {"cloudFiles.format": conf(key + "format")}
    options.update(json.loads(conf(key + "options", "{}")))
    hints = conf(key + "schema_hints")
    if hints:
        options["cloudFiles.schemaHints"] = hints
    mode = conf(key + "schema_evolution_mode")
    if mode:
        options["cloudFiles.schemaEvolutionMode"] = mode
    return options


def define_table(table):
    """One streaming table reading new files of its source, with its expectations."""
    key = f"{PREFIX}.ingest.{table}."
    source = conf(key + "source")
    options = reader_options(table)

    def load():
        return spark.readStream.format("cloudFiles").options(**options).load(source)  # noqa: F821

    load.__name__ = table
    rules = json.loads(conf(f"{PREFIX}.expectations.{table}", "{}"))
    for action, apply in APPLY.items():
        chosen = {name: rule["expression"] for name, rule in sorted(rules.items()) if rule["action"] == action}
        if chosen:
            load = apply(chosen)(load)
    return dlt.table(name=table, comment=conf(key + "comment"))(load)


for _table in filter(None, conf(f"{PREFIX}.ingest.tables", "").split(",")):
    define_table(_table)
