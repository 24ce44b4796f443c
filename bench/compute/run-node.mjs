// Runs a WASI command module under node's WASI (V8): node run-node.mjs MODULE.wasm [ARGS...]
// Exit code = the module's exit code.
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";
import { argv, env, exit } from "node:process";

const [module, ...args] = argv.slice(2);
const wasi = new WASI({ version: "preview1", args: ["main.wasm", ...args], env: {}, returnOnExit: true });
const compiled = await WebAssembly.compile(await readFile(module));
const instance = await WebAssembly.instantiate(compiled, wasi.getImportObject());
exit(wasi.start(instance));
