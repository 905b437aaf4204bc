#!/usr/bin/env bash
# The integration run's ephemeral test target (docs/code-delivery.md, Integration run): one
# developer's dev target (`--dev-user`, e.g. pr-123) of a config environment that CI does not
# otherwise deploy (e.g. test). Its workspace objects and schemas carry the dev user and its
# state is its own (key .../dev-users/<user>/<stack>.tfstate); the environment's shared pieces
# (catalog, service principals, cluster policies, warehouse) are only referenced.
#
# Usage: integration-target.sh deploy ENVIRONMENT DEV_USER OUTDIR
#          synthesize the target, then terraform init + apply every stack, dependencies first
#        integration-target.sh run ENVIRONMENT DEV_USER JOB_KEY...
#          mlops run JOB_KEY --wait, one after the other; stops at the first run that fails
#        integration-target.sh destroy ENVIRONMENT DEV_USER OUTDIR
#          terraform destroy every synthesized stack, dependents first (nothing synthesized:
#          nothing to destroy)
# Env: PYTHON (default .venv/bin/python), RUN_TIMEOUT (seconds per run, default 3600),
#      RUN_POLL_INTERVAL (seconds between status checks, default 15).
# Exit: 0 done; 1 a terraform step or a run failed (the run's URL is in the log); 2 bad usage.
set -euo pipefail

usage() {
  echo "usage: integration-target.sh deploy|destroy ENVIRONMENT DEV_USER OUTDIR" >&2
  echo "       integration-target.sh run ENVIRONMENT DEV_USER JOB_KEY..." >&2
  exit 2
}

[ "$#" -ge 4 ] || usage
action=$1
environment=$2
dev_user=$3
shift 3
python=${PYTHON:-.venv/bin/python}
mlops=("$python" -m mlops_tools)

case "$action" in
  deploy)
    outdir=$1
    "${mlops[@]}" synth --dev-user "$dev_user" --env "$environment" --outdir "$outdir" --quiet
    mapfile -t stacks < <("${mlops[@]}" stacks --env "$environment" --outdir "$outdir")
    if [ "${#stacks[@]}" -eq 0 ]; then
      echo "::error::no stack synthesized for $environment (dev user $dev_user)"
      exit 1
    fi
    for stack in "${stacks[@]}"; do
      echo "::group::apply $stack (dev user $dev_user)"
      terraform -chdir="$outdir/stacks/$stack" init -input=false -no-color
      terraform -chdir="$outdir/stacks/$stack" apply -input=false -no-color -auto-approve -lock-timeout=10m
      echo "::endgroup::"
    done
    ;;
  run)
    for key in "$@"; do
      echo "::group::run $key (dev user $dev_user)"
      code=0
      "${mlops[@]}" run "$key" --env "$environment" --dev-user "$dev_user" --wait \
        --timeout "${RUN_TIMEOUT:-3600}" --poll-interval "${RUN_POLL_INTERVAL:-15}" || code=$?
      echo "::endgroup::"
      if [ "$code" -ne 0 ]; then
        echo "::error title=Integration run failed::$key did not succeed (exit $code); its run URL is in the log above"
        exit 1
      fi
    done
    ;;
  destroy)
    outdir=$1
    if [ ! -s "$outdir/stacks.json" ]; then
      echo "nothing was synthesized in $outdir: nothing to destroy"
      exit 0
    fi
    mapfile -t stacks < <("${mlops[@]}" stacks --env "$environment" --outdir "$outdir")
    failed=0
    for ((i = ${#stacks[@]} - 1; i >= 0; i--)); do
      stack=${stacks[$i]}
      echo "::group::destroy $stack (dev user $dev_user)"
      if ! { terraform -chdir="$outdir/stacks/$stack" init -input=false -no-color \
             && terraform -chdir="$outdir/stacks/$stack" destroy -input=false -no-color -auto-approve -lock-timeout=10m; }; then
        echo "::error::terraform destroy failed for $stack: its objects (prefixed $dev_user) are left in the workspace"
        failed=1
      fi
      echo "::endgroup::"
    done
    exit "$failed"
    ;;
  *)
    usage
    ;;
esac
