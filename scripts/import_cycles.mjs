// Fails when the project's JavaScript has an import cycle: a module that, through the modules it imports, imports
// itself. A cycle makes the order modules run in depend on which one is loaded first (the dashboard once had eight
// modules in one, through app.jsx). esbuild resolves the imports as the dashboard's build does (web/build.mjs) and
// lists them in its metafile; nothing is written.
// The extension is also checked for importing the dashboard, which it cannot load (it is not bundled).
//   node scripts/import_cycles.mjs [entry ...]   (default: the dashboard's and the extension's entry points)
// tests/javascript/test_javascript.py runs it.
import { build } from "esbuild";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(import.meta.url), "../..");
const ENTRIES = ["web/src/main.jsx", "extension/background.js", "extension/popup.js", "extension/options.js", "extension/call.js"];

/**
 * Every module the entries reach, with the modules it imports (paths relative to the working directory).
 * @param {string[]} entries
 * @returns {Promise<Map<string, string[]>>}
 */
async function importGraph(entries) {
  const { metafile } = await build({
    entryPoints: entries,
    bundle: true,
    packages: "external", // only ours count, and a package need not be installed to check them
    write: false,
    metafile: true,
    outdir: "out", // required by several entries; nothing is written
    format: "esm",
    jsx: "automatic",
    jsxImportSource: "preact",
    logLevel: "error",
  });
  const ours = (/** @type {string} */ path) => !path.endsWith(".css");
  /** @type {Map<string, string[]>} */
  const graph = new Map();
  for (const [path, input] of Object.entries(metafile.inputs)) {
    if (ours(path)) graph.set(path, input.imports.filter((each) => !each.external && ours(each.path)).map((each) => each.path));
  }
  return graph;
}

/**
 * The cycles, each once, as the modules around it from its first in sorted order back to that one.
 * @param {Map<string, string[]>} graph
 * @returns {string[][]}
 */
function cyclesOf(graph) {
  /** @type {Map<string, "open" | "done">} */
  const state = new Map();
  /** @type {string[]} */
  const path = [];
  /** @type {Map<string, string[]>} */
  const found = new Map();
  /** @param {string} module */
  const visit = (module) => {
    state.set(module, "open");
    path.push(module);
    for (const next of graph.get(module) || []) {
      if (state.get(next) === "open") {
        const cycle = path.slice(path.indexOf(next));
        const first = cycle.indexOf([...cycle].sort()[0]);
        const turned = [...cycle.slice(first), ...cycle.slice(0, first)];
        found.set(turned.join(" "), [...turned, turned[0]]);
      } else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(module, "done");
  };
  for (const module of [...graph.keys()].sort()) if (!state.has(module)) visit(module);
  return [...found.values()];
}

const entries = process.argv.slice(2).length ? process.argv.slice(2) : ENTRIES.map((entry) => resolve(ROOT, entry));
const graph = await importGraph(entries);
const cycles = cyclesOf(graph);
const intoDashboard = [...graph]
  .filter(([module]) => relative(ROOT, resolve(module)).startsWith("extension/"))
  .flatMap(([module, imports]) => imports.filter((each) => relative(ROOT, resolve(each)).startsWith("web/")).map((each) => `${module} -> ${each}`));
for (const cycle of cycles) process.stdout.write(`import cycle: ${cycle.join(" -> ")}\n`);
for (const edge of intoDashboard) process.stdout.write(`the extension imports the dashboard: ${edge}\n`);
process.stdout.write(`${graph.size} modules, ${cycles.length} import cycles\n`);
process.exitCode = cycles.length || intoDashboard.length ? 1 : 0;
