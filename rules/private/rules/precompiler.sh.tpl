#!/usr/bin/env bash
# {label}: pyc as rules_python's precompiler. Finds pyc and the interpreter in
# this script's runfiles and runs `pyc --backend <backend> --python <interpreter> "$@"`.
# Written by rules_pyc.
set -euo pipefail

readonly backend={backend}
readonly compiler={compiler}
readonly interpreter={interpreter}
readonly python_version={python_version}

fail() {
  echo "{label}: $*" >&2
  exit 1
}

# The runfiles: this script's own tree (Bazel runs a tool, or a worker, as
# bazel-out/.../precompiler from the execroot or a sandbox), its manifest,
# the tree this script lies in (it is a runfile of another program), else
# what the environment names.
case "$0" in
/*) self=$0 ;;
*) self=$PWD/$0 ;;
esac
runfiles_dir=""
manifest=""
if [[ -d "$self.runfiles" ]]; then
  runfiles_dir=$self.runfiles
elif [[ -f "$self.runfiles_manifest" ]]; then
  manifest=$self.runfiles_manifest
elif [[ "$self" == */*.runfiles/* ]]; then
  runfiles_dir=${self%%.runfiles/*}.runfiles
elif [[ -n "${RUNFILES_DIR:-}" ]]; then
  runfiles_dir=$RUNFILES_DIR
elif [[ -n "${RUNFILES_MANIFEST_FILE:-}" ]]; then
  manifest=$RUNFILES_MANIFEST_FILE
else
  fail "cannot find the runfiles of $0 (no $self.runfiles, RUNFILES_DIR or RUNFILES_MANIFEST_FILE)"
fi
if [[ -n "$runfiles_dir" && "$runfiles_dir" != /* ]]; then
  runfiles_dir=$PWD/$runfiles_dir
fi
if [[ -n "$manifest" && "$manifest" != /* ]]; then
  manifest=$PWD/$manifest
fi

# rlocation PATH: the absolute path of the runfile PATH (absolute paths, such
# as a py_runtime's interpreter_path, are returned as they are).
rlocation() {
  if [[ "$1" == /* ]]; then
    echo "$1"
  elif [[ -n "$runfiles_dir" ]]; then
    echo "$runfiles_dir/$1"
  else
    awk -v want="$1" 'index($0, want " ") == 1 { print substr($0, length(want) + 2); found = 1; exit }
      END { exit !found }' "$manifest" || fail "$1 is not in the runfiles manifest $manifest"
  fi
}

pyc=$(rlocation "$compiler")
python=$(rlocation "$interpreter")
[[ -x "$pyc" ]] || fail "the compiler $pyc is not an executable file"
[[ -x "$python" ]] || fail "the interpreter $python is not an executable file"

args=(--backend "$backend" --python "$python")
if [[ -n "$python_version" ]]; then
  args+=(--python_version "$python_version")
fi
# As a persistent worker, state the protocol that the execution requirements
# ask Bazel for, so pyc never has to detect it.
for arg in "$@"; do
  if [[ "$arg" == --persistent_worker ]]; then
    args+=(--worker_protocol={protocol})
    break
  fi
done

exec "$pyc" "${args[@]}" "$@"
