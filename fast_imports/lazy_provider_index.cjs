// Node.js side of fast_imports (see fast_imports/__init__.py): loaded with
// NODE_OPTIONS=--require into the jsii kernel that the Python app starts. Two changes:
//
// 1. The jsii kernel require()s each assembly's npm main file; for a prebuilt CDKTF provider that
//    is lib/index.js, which requires all of its ~2,200 submodules at once. The package ships
//    lib/lazy-index.js beside it: the same exports, as getters that require a submodule on first
//    use. A require of .../node_modules/@cdktf/provider-*/lib/index.js loads that file instead.
//
// 2. The first time jsii loads an assembly from its package cache it parses the whole .jsii
//    (130 MB for aws, about 1 s) and starts a worker thread that writes an index of it into the
//    cache, so that later runs skip the parse. The worker needs a few seconds; a fast synth exits
//    before that and the kernel's exit kills it, so the index would never be written. The
//    worker runs in a detached process instead (same script, same input), which outlives the
//    kernel. Nothing changes once the index exists (jsii then starts no worker).
"use strict";

const off = ["0", "false", "no", "off"].includes((process.env.WANDB_CDKTF_FAST_IMPORTS || "").trim().toLowerCase());

// JSII_AGENT is set by the jsii Python runtime for its kernel process only.
if (process.env.JSII_AGENT && !off) {
  const Module = require("module");
  const childProcess = require("child_process");
  const { EventEmitter } = require("events");
  const fs = require("fs");
  const os = require("os");
  const path = require("path");
  const workerThreads = require("worker_threads");

  const PROVIDER_MAIN = /[\\/]node_modules[\\/]@cdktf[\\/]provider-[^\\/]+[\\/]lib[\\/]index\.js$/;
  const resolveFilename = Module._resolveFilename;

  Module._resolveFilename = function (request, parent, isMain, options) {
    const filename = resolveFilename.call(this, request, parent, isMain, options);
    if (PROVIDER_MAIN.test(filename)) {
      const lazy = path.join(path.dirname(filename), "lazy-index.js");
      if (fs.existsSync(lazy)) {
        return lazy;
      }
    }
    return filename;
  };

  const INDEX_WORKER = "runtime-index-worker.js";
  const BUILDER =
    'const fs = require("fs"); const { Worker } = require("worker_threads");' +
    "const [file, data] = process.argv.slice(1); const done = () => fs.rmSync(file, { force: true });" +
    "new Worker(file, { workerData: JSON.parse(data) }).on(\"exit\", done).on(\"error\", done);";
  const Worker = workerThreads.Worker;
  let builders = 0;

  function IndexWorkerOutsideTheKernel(filename, options) {
    if (typeof filename === "string" && path.basename(filename) === INDEX_WORKER && options && options.workerData) {
      try {
        // The jsii runtime's files live in a folder the Python side deletes when it exits.
        const copy = path.join(os.tmpdir(), `jsii-${INDEX_WORKER}-${process.pid}-${builders++}.js`);
        fs.copyFileSync(filename, copy);
        const env = { ...process.env };
        delete env.NODE_OPTIONS;
        delete env.JSII_AGENT;
        // packageDir is the kernel's link to the package cache, removed when the kernel exits.
        const data = { ...options.workerData, packageDir: fs.realpathSync(options.workerData.packageDir) };
        const args = ["--max-old-space-size=4069", "-e", BUILDER, copy, JSON.stringify(data)];
        childProcess.spawn(process.execPath, args, { detached: true, stdio: "ignore", env }).unref();
        return new EventEmitter(); // jsii only listens for "message" and "error"
      } catch {
        // fall back to jsii's own worker thread
      }
    }
    return new Worker(filename, options);
  }
  IndexWorkerOutsideTheKernel.prototype = Worker.prototype;
  workerThreads.Worker = IndexWorkerOutsideTheKernel;
}
