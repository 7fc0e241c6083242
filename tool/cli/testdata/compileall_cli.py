# Runs the command-line tests of the interpreter's own test_compileall (the
# CommandLineTestsBase classes) against pyc: every `python -m compileall ARGS`
# those tests start becomes `pyc --backend cpython --python THIS_PYTHON ARGS`
# (the interpreter compiles, whatever its release: the default backend is
# compared with compileall in compat_test.go).
#
#   python3 compileall_cli.py PYC
#
# The redirection keeps what the interpreter would have meant:
# - `-O` and `-OO` before `-m compileall` set the interpreter's optimization
#   level, which compileall uses when no -o is given: pyc gets `-o 1` or
#   `-o 2` then;
# - compileall's default invalidation mode is timestamp, or checked-hash
#   when SOURCE_DATE_EPOCH is set: without --invalidation-mode pyc gets
#   `--invalidation-mode timestamp` unless SOURCE_DATE_EPOCH is set
#   (checked-hash is pyc's own default).
# Every other command (running a compiled module, a script) runs as the test
# wrote it.
#
# Prints one JSON object per test on stdout: {"test": "Class.test_name",
# "outcome": "pass" | "fail" | "error" | "skip", "detail": "..."}.
import json
import os
import subprocess
import sys
import unittest

from test.support import script_helper
from test import test_compileall

PYC = sys.argv[1]


def pyc_command(args):
    """The pyc command line for `python ARGS`, or None if ARGS do not run
    compileall."""
    args = list(args)
    for i in range(len(args) - 1):
        if args[i] == "-m" and args[i + 1] == "compileall":
            break
    else:
        return None
    interpreter, rest = args[:i], args[i + 2:]
    level = None
    for a in interpreter:
        if a == "-O":
            level = 1 if level is None else 2
        elif a == "-OO":
            level = 2
    cmd = [PYC, "--backend", "cpython", "--python", sys.executable]
    if level is not None and not any(a == "-o" or a.startswith("-o") for a in rest):
        cmd += ["-o", str(level)]
    if not any(a.startswith("--invalidation-mode") for a in rest) and "SOURCE_DATE_EPOCH" not in os.environ:
        cmd += ["--invalidation-mode", "timestamp"]
    return cmd + rest


def environment(env_vars):
    env = os.environ.copy()
    env.update({k: v for k, v in env_vars.items() if not k.startswith("__")})
    return env


original_run = script_helper.run_python_until_end
original_spawn = script_helper.spawn_python


def run_python_until_end(*args, **env_vars):
    cmd = pyc_command(args)
    if cmd is None:
        return original_run(*args, **env_vars)
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=environment(env_vars),
                            cwd=env_vars.get("__cwd"))
    with proc:
        out, err = proc.communicate()
    return script_helper._PythonRunResult(proc.returncode, out, err), cmd


def spawn_python(*args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                 stderr=subprocess.STDOUT, **kw):
    cmd = pyc_command(args)
    if cmd is None:
        return original_spawn(*args, stdin=stdin, stdout=stdout, stderr=stderr, **kw)
    return subprocess.Popen(cmd, stdin=stdin, stdout=stdout, stderr=stderr,
                            env=environment(kw))


script_helper.run_python_until_end = run_python_until_end
script_helper.spawn_python = spawn_python


class Result(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.outcomes = []

    def record(self, test, outcome, detail=""):
        name = test.id().rsplit(".", 2)
        self.outcomes.append({"test": ".".join(name[-2:]), "outcome": outcome, "detail": detail})

    def addSuccess(self, test):
        self.record(test, "pass")

    def addFailure(self, test, err):
        self.record(test, "fail", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        self.record(test, "error", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        self.record(test, "skip", reason)

    def addExpectedFailure(self, test, err):
        self.record(test, "fail", self._exc_info_to_string(err, test))

    def addUnexpectedSuccess(self, test):
        self.record(test, "pass")


suite = unittest.TestSuite()
loader = unittest.TestLoader()
for name in sorted(dir(test_compileall)):
    cls = getattr(test_compileall, name)
    if (isinstance(cls, type) and issubclass(cls, test_compileall.CommandLineTestsBase)
            and issubclass(cls, unittest.TestCase)):
        suite.addTests(loader.loadTestsFromTestCase(cls))
result = Result()
suite.run(result)
for o in result.outcomes:
    print(json.dumps(o))
