"""Benchmarks that compare (issue 18): our synthesis against the hand-written raw-cdktf peer,
and offline plans against the one-resource floor.

`make bench` runs them (medians of at least 5 alternating runs, ``MLOPS_BENCH_RUNS``); the
normal test run only checks, cheaply, that the peer reproduces our output (the comparison is
meaningless otherwise) and skips the measurements. Figures go to the terminal and to
.benchmarks/perf-report.json.
"""

from __future__ import annotations

import json
import os
import re
import types
from pathlib import Path

import pytest

from compare import BENCH_DIR, Run, median, python, run_process, runs, write_report
from peer import comparable, generate_peer
from platforms import ENVIRONMENTS, scaled_config
from support import EXAMPLE_CONFIG, PROVIDER_VERSION, Synthesized, read_outdir

#: label -> projects per environment (None: the shipped example, one stack per environment).
SIZES: dict[str, int | None] = {"example": None, "10 projects": 10, "50 projects": 50}
SYNTH_RATIO_GOAL, REQUEST_RATIO_GOAL, MARGINAL_MS_GOAL = 1.1, 1.1, 3.0
PLAN_GOALS = {"example": 0.75, "51 stacks": 0.6}  # seconds per stack
ALL_153_GOAL_SECONDS, PEAK_MB_GOAL = 120.0, 450.0
_REFERENCE_STRING = re.compile(r"""['"][^'"]*(?<!\$)\$\{(data\.)?databricks_""")


def _assert_same_output(ours: Synthesized, peer: Synthesized) -> None:
    assert sorted(peer.stacks) == sorted(ours.stacks)
    for name, doc in ours.stacks.items():
        assert comparable(peer.stacks[name]) == comparable(doc), f"peer output differs in stack {name}"


def _skip_unless_measuring(benchmark) -> None:
    if benchmark.disabled:
        pytest.skip("a measurement: `make bench` runs it")


def _report(lines: list[str], capsys) -> None:
    with capsys.disabled():
        print("\n" + "\n".join(lines))


# ----------------------------------------------------------------- the peer is a faithful peer


def test_peer_reproduces_our_output(example: Synthesized, tmp_path: Path) -> None:
    """The generated hand-written program emits our JSON (all but the `//` construct-path
    metadata) from typed binding classes, with references as attribute reads."""
    source = generate_peer(example.outdir)
    assert not _REFERENCE_STRING.search(source), "references must be attribute reads, not ${...} strings"
    assert "Job(stack, " in source and "JobTask(" in source and "Token.as_number(" in source
    module = types.ModuleType("peer_app")
    exec(compile(source, "peer_app.py", "exec"), module.__dict__)  # noqa: S102 - our generated program
    module.main(str(tmp_path / "peer.out"))
    _assert_same_output(example, read_outdir(tmp_path / "peer.out"))


# ----------------------------------------------------------------- synthesis: ours vs the peer


def _config(label: str, projects: int | None, root: Path) -> Path:
    if projects is None:
        return EXAMPLE_CONFIG
    return scaled_config(root / label.replace(" ", "-") / "config", projects, environments=ENVIRONMENTS)


@pytest.fixture(scope="module")
def platforms(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """Per size: its config, our synthesized outdir and the peer's directory (program + outdir)."""
    root = tmp_path_factory.mktemp("platforms")
    out: dict[str, dict[str, Path]] = {}
    for label, projects in SIZES.items():
        folder = root / label.replace(" ", "-")
        out[label] = {"config": _config(label, projects, root), "ours": folder / "ours.out",
                      "peer_dir": folder / "peer", "peer": folder / "peer.out"}
    return out


def _ours(paths: dict[str, Path]) -> Run:
    return run_process([python(), "-m", "mlops_tools", "synth", "--config", str(paths["config"]),
                        "--outdir", str(paths["ours"]), "--quiet"])


def _peer(paths: dict[str, Path]) -> Run:
    # Imported, not run as a script, so its (large) compiled code is cached like any module's.
    return run_process([python(), "-c", "import sys, peer_app; peer_app.main(sys.argv[1])", str(paths["peer"])],
                       cwd=paths["peer_dir"], env=None)


def _requests(which: str, source: Path, outdir: Path) -> dict:
    run = run_process([python(), str(BENCH_DIR / "jsii_requests.py"), which, str(source), str(outdir)])
    return json.loads(run.stdout)


def _resources(synth: Synthesized) -> int:
    return sum(len(items) for doc in synth.stacks.values() for items in doc.get("resource", {}).values())


def _elements(synth: Synthesized) -> int:
    """Resources, data sources and outputs: every element either program creates per project."""
    return sum(len(items) for doc in synth.stacks.values() for kind in ("resource", "data")
               for items in doc.get(kind, {}).values()) + sum(len(doc.get("output", {})) for doc in synth.stacks.values())


def test_bench_synth_against_hand_written(benchmark, platforms, capsys) -> None:
    """Ours and the peer, alternately, at every size: CPU ratio, jsii round trips, marginal cost."""
    _skip_unless_measuring(benchmark)
    resources: dict[str, int] = {}
    elements: dict[str, int] = {}
    for label, paths in platforms.items():  # warm-up: synthesize, generate the peer, compile it, compare
        _ours(paths)
        ours = read_outdir(paths["ours"])
        resources[label], elements[label] = _resources(ours), _elements(ours)
        paths["peer_dir"].mkdir(parents=True, exist_ok=True)
        (paths["peer_dir"] / "peer_app.py").write_text(generate_peer(paths["ours"]))
        _peer(paths)
        _assert_same_output(ours, read_outdir(paths["peer"]))
    if "50 projects" in platforms:
        per_project = read_outdir(platforms["50 projects"]["ours"])
        assert {f"{env}-p{i:02d}" for env in ENVIRONMENTS for i in range(50)} <= set(per_project.stacks)

    samples: dict[str, dict[str, list[Run]]] = {label: {"ours": [], "peer": []} for label in platforms}
    turn = iter(range(10**6))

    def one_round() -> None:
        flip = next(turn) % 2
        for label, paths in platforms.items():
            order = [("ours", _ours), ("peer", _peer)]
            for side, run in order[::-1] if flip else order:
                samples[label][side].append(run(paths))

    benchmark.pedantic(one_round, rounds=runs(), iterations=1)

    counts = {label: {"ours": _requests("ours", paths["config"], paths["ours"]),
                      "peer": _requests("peer", paths["peer_dir"], paths["peer"])}
              for label, paths in platforms.items()}
    figures: dict[str, dict] = {}
    lines = [f"synthesis, whole process, medians of {runs()} alternating runs (CPU = user+sys incl. node)",
             f"{'size':<12} {'resources':>9} {'ours CPU':>9} {'peer CPU':>9} {'ratio':>6} {'ours wall':>9} "
             f"{'peer wall':>9} {'jsii ours':>9} {'jsii peer':>9} {'ratio':>6}"]
    for label, sides in samples.items():
        ratio = median([o.cpu / p.cpu for o, p in zip(sides["ours"], sides["peer"])])
        ours_cpu, peer_cpu = median([r.cpu for r in sides["ours"]]), median([r.cpu for r in sides["peer"]])
        ours_requests, peer_requests = counts[label]["ours"]["total"], counts[label]["peer"]["total"]
        figures[label] = {
            "resources": resources[label], "elements": elements[label], "cpu_ratio": round(ratio, 3),
            "ours_cpu_s": round(ours_cpu, 2),
            "peer_cpu_s": round(peer_cpu, 2), "ours_wall_s": round(median([r.wall for r in sides["ours"]]), 2),
            "peer_wall_s": round(median([r.wall for r in sides["peer"]]), 2),
            "ours_peak_mb": round(median([r.peak_mb for r in sides["ours"]])),
            "jsii_requests_ours": ours_requests, "jsii_requests_peer": peer_requests,
            "jsii_ratio": round(ours_requests / peer_requests, 3),
            "jsii_by_target_ours": counts[label]["ours"]["by_target"],
            "jsii_by_source_ours": counts[label]["ours"]["by_source"],
        }
        f = figures[label]
        lines.append(f"{label:<12} {f['resources']:>9} {ours_cpu:>8.2f}s {peer_cpu:>8.2f}s {ratio:>5.2f}x "
                     f"{f['ours_wall_s']:>8.2f}s {f['peer_wall_s']:>8.2f}s {ours_requests:>9} {peer_requests:>9} "
                     f"{f['jsii_ratio']:>5.2f}x")
    if {"10 projects", "50 projects"} <= figures.keys():
        small, large = figures["10 projects"], figures["50 projects"]
        added = large["resources"] - small["resources"]
        slope = {side: 1000 * (large[f"{side}_cpu_s"] - small[f"{side}_cpu_s"]) / added for side in ("ours", "peer")}
        per_element = {side: v * added / (large["elements"] - small["elements"]) for side, v in slope.items()}
        figures["marginal_ms_per_resource"] = {k: round(v, 2) for k, v in slope.items()}
        figures["marginal_ms_per_element"] = {k: round(v, 2) for k, v in per_element.items()}
        lines.append(f"marginal cost 10 -> 50 projects: ours {slope['ours']:.2f} ms/resource, "
                     f"peer {slope['peer']:.2f} ms/resource, ratio {slope['ours'] / slope['peer']:.2f}x "
                     f"(goal <= {MARGINAL_MS_GOAL} ms: {'met' if slope['ours'] <= MARGINAL_MS_GOAL else 'NOT met'}); "
                     f"per element (resources, data sources, outputs): ours {per_element['ours']:.2f} ms, "
                     f"peer {per_element['peer']:.2f} ms")
    worst = max(figures[label]["cpu_ratio"] for label in platforms)
    worst_requests = max(figures[label]["jsii_ratio"] for label in platforms)
    lines.append(f"goals: synth <= {SYNTH_RATIO_GOAL}x at every size: {'met' if worst <= SYNTH_RATIO_GOAL else 'NOT met'}"
                 f" (worst {worst:.2f}x); jsii round trips <= {REQUEST_RATIO_GOAL}x: "
                 f"{'met' if worst_requests <= REQUEST_RATIO_GOAL else 'NOT met'} (worst {worst_requests:.2f}x)")
    largest = list(platforms)[-1]
    lines.append(f"largest excess jsii sources ({largest}, ours):")
    lines += [f"  {n:>6}  {source}" for source, n in list(figures[largest]["jsii_by_source_ours"].items())[:15]]
    benchmark.extra_info.update(figures)
    write_report("synth", figures)
    _report(lines, capsys)
    for label in platforms:
        assert figures[label]["jsii_requests_peer"] > figures[label]["resources"], "the counter saw every create"


# ----------------------------------------------------------------- offline plan: seconds per stack


def _one_resource_stacks(root: Path, count: int) -> Path:
    """``count`` stacks holding one resource each: what a stack costs Terraform at the least."""
    for i in range(count):
        stack = root / "stacks" / f"floor-{i:02d}"
        stack.mkdir(parents=True, exist_ok=True)
        stack.joinpath("cdk.tf.json").write_text(json.dumps({
            "terraform": {"required_providers": {"databricks": {"source": "databricks/databricks",
                                                                "version": PROVIDER_VERSION}}},
            "provider": {"databricks": [{"host": "https://offline.invalid"}]},
            "resource": {"databricks_mlflow_experiment": {"e": {"name": f"/Shared/floor-{i}"}}},
        }, indent=2))
    return root


def _plan(outdir: Path, prefix: str = "") -> Run:
    run = run_process([python(), str(BENCH_DIR / "plan_runner.py"), str(outdir), prefix])
    assert json.loads(run.stdout)["ok"]
    return run


@pytest.mark.terraform
def test_bench_offline_plan(benchmark, platforms, terraform, tmp_path, capsys) -> None:
    """Offline plan (the `mlops plan` harness) of the example, the 51 stacks of one 50-project
    environment and all 153 stacks, against 10 one-resource stacks, alternately."""
    _skip_unless_measuring(benchmark)
    for label in ("example", "50 projects"):
        if not (platforms[label]["ours"] / "manifest.json").exists():
            _ours(platforms[label])
    floor_dir = _one_resource_stacks(tmp_path / "floor", 10)
    large = platforms["50 projects"]["ours"]
    cases = {"floor": (floor_dir, "", 10), "example": (platforms["example"]["ours"], "", 3),
             "51 stacks": (large, "dev-", 51), "153 stacks": (large, "", 153)}
    samples: dict[str, list[Run]] = {label: [] for label in cases}
    loads: dict[str, list[float]] = {label: [] for label in cases}  # the machine may be shared
    turn = iter(range(10**6))

    def one_round() -> None:
        order = list(cases.items())
        for label, (outdir, prefix, _) in (order[::-1] if next(turn) % 2 else order):
            loads[label].append(os.getloadavg()[0])
            samples[label].append(_plan(outdir, prefix))

    benchmark.pedantic(one_round, rounds=runs(), iterations=1)
    figures: dict[str, dict] = {}
    lines = [f"offline plan (one provider per run, stacks in parallel), medians of {runs()} alternating runs",
             f"{'case':<11} {'stacks':>6} {'wall':>8} {'per stack':>9} {'x floor':>7} {'CPU':>8} {'tree peak':>9} "
             f"{'load avg':>8}"]
    floor_per_stack = median([r.wall for r in samples["floor"]]) / cases["floor"][2]
    for label, (_, _, count) in cases.items():
        wall = median([r.wall for r in samples[label]])
        figures[label] = {"stacks": count, "wall_s": round(wall, 2), "per_stack_s": round(wall / count, 3),
                          "x_floor": round(wall / count / floor_per_stack, 2),
                          "cpu_s": round(median([r.cpu for r in samples[label]]), 2),
                          "peak_mb": round(median([r.peak_mb for r in samples[label]])),
                          "load_avg": round(median(loads[label]), 1)}
        f = figures[label]
        lines.append(f"{label:<11} {count:>6} {wall:>7.2f}s {f['per_stack_s']:>8.3f}s {f['x_floor']:>6.2f}x "
                     f"{f['cpu_s']:>7.2f}s {f['peak_mb']:>7} MB {f['load_avg']:>8}")
    verdicts = [f"{label} <= {goal} s/stack: {'met' if figures[label]['per_stack_s'] <= goal else 'NOT met'}"
                for label, goal in PLAN_GOALS.items()]
    verdicts.append(f"153 stacks < {ALL_153_GOAL_SECONDS:.0f} s: "
                    f"{'met' if figures['153 stacks']['wall_s'] < ALL_153_GOAL_SECONDS else 'NOT met'}")
    verdicts.append(f"plan tree peak <= {PEAK_MB_GOAL:.0f} MB: "
                    f"{'met' if figures['153 stacks']['peak_mb'] <= PEAK_MB_GOAL else 'NOT met'}")
    lines.append("goals: " + "; ".join(verdicts))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    lines.append(f"CPU per stack / {cores} cores (about the wall time per stack on an otherwise idle machine): "
                 + ", ".join(f"{label} {figures[label]['cpu_s'] / count / cores:.3f} s"
                             for label, (_, _, count) in cases.items()))
    benchmark.extra_info.update(figures)
    write_report("plan", figures)
    _report(lines, capsys)
