#!/usr/bin/env bash
# Apply the saved plans written by plan-stacks.sh, in the recorded dependency order. Nothing is
# planned here: each stack's tfplan is applied as reviewed and approved. When its state changed
# after the plan job (another apply, a manual change), Terraform refuses the stale plan and this
# script stops with a message to re-run the workflow; later stacks are not applied.
#
# Usage: apply-plans.sh PLANS_DIR
# Exit: 0 every stack applied; 1 a plan was stale, missing or failed to apply.
# Docs: docs/delivery.md
set -euo pipefail

plans=${1:?usage: apply-plans.sh PLANS_DIR}
if [ ! -s "$plans/stacks.txt" ]; then
  echo "::error::$plans/stacks.txt is missing: the plan artifact is incomplete. Re-run the workflow."
  exit 1
fi
mapfile -t stacks < "$plans/stacks.txt"

for stack in "${stacks[@]}"; do
  dir="$plans/stacks/$stack"
  if [ ! -f "$dir/tfplan" ]; then
    echo "::error::no saved plan for stack $stack: nothing was applied from it on. Re-run the workflow."
    exit 1
  fi
  echo "::group::apply $stack"
  lockfile=()
  if [ -f "$dir/.terraform.lock.hcl" ]; then lockfile=(-lockfile=readonly); fi
  log=$(mktemp)
  set +e
  terraform -chdir="$dir" init -input=false -no-color "${lockfile[@]}" > "$log" 2>&1 \
    && terraform -chdir="$dir" apply -input=false -no-color -lock-timeout=10m tfplan >> "$log" 2>&1
  code=$?
  set -e
  cat "$log"
  echo "::endgroup::"
  if [ "$code" -ne 0 ]; then
    if grep -q "Saved plan is stale" "$log"; then
      echo "::error title=Stale plan::The saved plan of stack $stack is stale: its state changed after the plan job (another deploy or a manual change). Nothing of $stack was applied, nor of the stacks after it. Re-run this workflow (Re-run all jobs) to plan again, review the new plan and approve it."
    else
      echo "::error::terraform apply failed for stack $stack; the stacks after it were not applied"
    fi
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
done
echo "applied: ${stacks[*]}"
