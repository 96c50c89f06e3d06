#!/usr/bin/env node
import { main } from "../dist/cli/main.js";

const code = await main(process.argv.slice(2));
// -1: a server is running; it exits on its own signals.
if (code >= 0) process.exitCode = code;
