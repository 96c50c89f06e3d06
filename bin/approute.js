#!/usr/bin/env node
import module from "node:module";

// Node 22.1+ keeps V8's compiled code of approute and of the built app on disk between starts, which
// is most of a cold start after Node's own boot (#6). Absent on Node 20; NODE_DISABLE_COMPILE_CACHE=1
// turns it off, NODE_COMPILE_CACHE=<dir> moves it.
module.enableCompileCache?.();
const { main } = await import("../dist/cli/main.js");

const code = await main(process.argv.slice(2));
// -1: a server is running; it exits on its own signals.
if (code >= 0) process.exitCode = code;
