#!/usr/bin/env bash
# Runs {module} with the interpreter that compiled it, importing the .pyc files
# in the runfiles. Written by rules_pyc.
set -eu

# The runfiles tree: beside this script, else the one of the binary or test
# that runs it.
case "$0" in
/*) self=$0 ;;
*) self=$PWD/$0 ;;
esac
if [[ -d "$self.runfiles" ]]; then
  runfiles=$self.runfiles
elif [[ -n "${RUNFILES_DIR:-}" ]]; then
  runfiles=$RUNFILES_DIR
elif [[ -n "${TEST_SRCDIR:-}" ]]; then
  runfiles=$TEST_SRCDIR
else
  echo "$0: cannot find the runfiles directory $self.runfiles" >&2
  exit 1
fi

path=""
for dir in {python_path}; do
  path+="${path:+:}$runfiles/$dir"
done
export PYTHONPATH="$path${PYTHONPATH:+:$PYTHONPATH}"

# What `python -m {module}` does, minus putting the working directory first on
# sys.path (which would import the source tree instead of the runfiles):
# -B: never write .pyc files into the runfiles; -s: no user site-packages.
# The .pyc files are for one CPython release: another release of 3.13 would
# import them (same magic number) and run bytecode that is not its own, so the
# interpreter refuses to run unless it is that release.
exec "$runfiles/{interpreter}" -B -s -c \
  'import runpy, sys
if sys.version_info[:len({release})] != {release}:
    sys.exit("{label}: the .pyc files are compiled for CPython %s, but its interpreter (%s) is CPython %s" % (".".join(map(str, {release})), sys.executable, sys.version.split()[0]))
sys.path[:1] = [p for p in sys.path[:1] if p]; runpy._run_module_as_main("{module}")' "$@"
