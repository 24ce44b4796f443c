// Runs fsbench under node's WASI (V8) with HOST_DIR preopened as /data: node run-node.mjs MODULE.wasm HOST_DIR [ARGS...]
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";
import { argv, exit } from "node:process";

const [module, dir, ...args] = argv.slice(2);
const wasi = new WASI({ version: "preview1", args: ["main.wasm", "/data", ...args], env: {}, preopens: { "/data": dir }, returnOnExit: true });
const compiled = await WebAssembly.compile(await readFile(module));
const instance = await WebAssembly.instantiate(compiled, wasi.getImportObject());
exit(wasi.start(instance));
