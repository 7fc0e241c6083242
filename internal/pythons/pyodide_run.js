// Runs a Python script's _run over a list of jobs in one Pyodide process,
// for pythons.Pyodide.Run.
//
// usage: node pyodide_run.js PACKAGE_DIR SCRIPT JOBS_JSON
//
// SCRIPT is Python that defines _head() and _run(job), each returning a
// dict. JOBS_JSON holds a list of jobs, each a JSON object whose "files"
// lists host paths: they are written at the same paths into Pyodide's file
// system before _run(job) and removed after it. The first line printed is
// _head() as JSON, then one line of _run(job) as JSON for each job, in
// order.
"use strict";
const fs = require("fs");
const path = require("path");

(async () => {
  const [pkg, script, jobsFile] = process.argv.slice(2);
  const { loadPyodide } = require(path.join(pkg, "pyodide.js"));
  const py = await loadPyodide({ indexURL: pkg + path.sep });
  py.runPython(fs.readFileSync(script, "utf8"));
  py.runPython("import json\ndef _json_head():\n    return json.dumps(_head())\ndef _json_run(s):\n    return json.dumps(_run(json.loads(s)))\n");
  process.stdout.write(py.globals.get("_json_head")() + "\n");
  const run = py.globals.get("_json_run");
  for (const job of JSON.parse(fs.readFileSync(jobsFile, "utf8"))) {
    const files = job.files || [];
    for (const f of files) {
      py.FS.mkdirTree(path.dirname(f));
      py.FS.writeFile(f, fs.readFileSync(f));
    }
    process.stdout.write(run(JSON.stringify(job)) + "\n");
    for (const f of files) {
      py.FS.unlink(f);
    }
  }
})().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
