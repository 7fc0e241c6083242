#!/bin/sh
# A Python interpreter whose compileall is pyc: `THIS [-S|-s|-E|-I|-B|-u|-q]...
# -m compileall ARGS` runs `pyc --backend BACKEND --python PYTHON
# --python-version VERSION ARGS` (pyc takes compileall's options and prints its
# lines, and writes what a fresh py_compile writes for each file, whatever
# compiled before it in the run);
# anything else runs PYTHON itself with the same arguments. Made by the pyc
# plugin's //build_defs:python rule from the [Plugin "pyc"] settings, for tools
# that compile by running `python -m compileall`, such as Please's
# python_library (python-rules' DefaultInterpreter). See docs/please.md.
pyc='@PYC@'
python='@PYTHON@'
version='@PYTHON_VERSION@'
backend='@BACKEND@'

n=0
for arg in "$@"; do
	case $arg in
	-S | -s | -E | -I | -B | -u | -q) n=$((n + 1)) ;;
	*) break ;;
	esac
done
if [ $# -ge $((n + 2)) ]; then
	eval "m=\${$((n + 1))} module=\${$((n + 2))}"
	if [ "$m" = -m ] && [ "$module" = compileall ]; then
		shift $((n + 2))
		exec "$pyc" --backend "$backend" --python "$python" --python-version "$version" "$@"
	fi
fi
exec "$python" "$@"
