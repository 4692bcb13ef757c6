// Node.js side of fast_imports (see fast_imports/__init__.py): loaded with
// NODE_OPTIONS=--require into the jsii kernel that the Python app starts.
//
// The jsii kernel require()s each assembly's npm main file; for a prebuilt CDKTF provider that
// is lib/index.js, which requires all of its ~2,200 submodules at once. The package ships
// lib/lazy-index.js beside it: the same exports, as getters that require a submodule on first
// use. This makes a require of .../node_modules/@cdktf/provider-*/lib/index.js load that file.
"use strict";

const off = ["0", "false", "no", "off"].includes((process.env.WANDB_CDKTF_FAST_IMPORTS || "").trim().toLowerCase());

// JSII_AGENT is set by the jsii Python runtime for its kernel process only.
if (process.env.JSII_AGENT && !off) {
  const Module = require("module");
  const fs = require("fs");
  const path = require("path");

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
}
