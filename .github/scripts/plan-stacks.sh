#!/usr/bin/env bash
# Plan every stack of one environment, dependencies first, and keep per stack what the apply job
# needs: the synthesized configuration (cdk.tf.json, assets, .terraform.lock.hcl) WITH its saved
# plan (tfplan). The apply job applies exactly these files after approval; it never plans.
#
# Usage: plan-stacks.sh ENVIRONMENT OUTDIR PLANS_DIR
#   OUTDIR     synthesized output (cdktf.out)
#   PLANS_DIR  written: stacks.txt (deploy order), stacks/<stack>/{cdk.tf.json,tfplan,...},
#              review/<stack>.json (terraform show -json) or review/<stack>.error.txt (plan failed),
#              logs/<stack>.log
# Env: PYTHON (default .venv/bin/python), TF_PLAN_ARGS (extra plan arguments, e.g. -lock=false).
# Exit: 0 every stack planned, 1 a stack failed (its error is in review/ for the review step).
# Docs: docs/delivery.md
set -euo pipefail

environment=${1:?usage: plan-stacks.sh ENVIRONMENT OUTDIR PLANS_DIR}
outdir=${2:?usage: plan-stacks.sh ENVIRONMENT OUTDIR PLANS_DIR}
plans=${3:?usage: plan-stacks.sh ENVIRONMENT OUTDIR PLANS_DIR}
python=${PYTHON:-.venv/bin/python}
read -r -a extra <<< "${TF_PLAN_ARGS:-}"

mkdir -p "$plans/stacks" "$plans/review" "$plans/logs"
"$python" -m mlops_tools stacks --env "$environment" --outdir "$outdir" > "$plans/stacks.txt"
if [ ! -s "$plans/stacks.txt" ]; then
  echo "::error::no synthesized stack for environment $environment in $outdir"
  exit 1
fi
mapfile -t stacks < "$plans/stacks.txt"

failed=0
for stack in "${stacks[@]}"; do
  src="$outdir/stacks/$stack"
  log="$plans/logs/$stack.log"
  echo "::group::plan $stack"
  if terraform -chdir="$src" init -input=false -no-color > "$log" 2>&1 \
      && terraform -chdir="$src" plan -input=false -no-color "${extra[@]}" -out=tfplan >> "$log" 2>&1 \
      && terraform -chdir="$src" show -json tfplan > "$plans/review/$stack.json"; then
    dest="$plans/stacks/$stack"
    mkdir -p "$dest"
    cp "$src/cdk.tf.json" "$src/tfplan" "$dest/"
    if [ -f "$src/.terraform.lock.hcl" ]; then cp "$src/.terraform.lock.hcl" "$dest/"; fi
    if [ -d "$src/assets" ]; then cp -R "$src/assets" "$dest/"; fi
  else
    rm -f "$plans/review/$stack.json"
    cp "$log" "$plans/review/$stack.error.txt"
    echo "::error::terraform plan failed for stack $stack (see the review for why)"
    failed=1
  fi
  cat "$log"
  echo "::endgroup::"
done
exit "$failed"
