// Builds the clinic dashboard into one folder of static files: index.html, app-<hash>.js, app-<hash>.css and
// the icon. esbuild bundles web/src (Preact, Luxon and the modules shared with the extension, extension/lib) for
// today's browsers; nothing is loaded from anywhere else at run time. The deployment adds config.json beside it.
//   node web/build.mjs <outdir>
import { build } from "esbuild";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = process.argv[2];
if (!outdir) throw new Error("usage: node web/build.mjs <outdir>");

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const result = await build({
  entryPoints: { app: join(here, "src/main.jsx") },
  bundle: true,
  minify: true,
  format: "esm",
  target: ["chrome120", "firefox121", "safari17"],
  jsx: "automatic",
  jsxImportSource: "preact",
  entryNames: "[name]-[hash]",
  outdir,
  metafile: true,
  legalComments: "none",
  charset: "utf8",
  logLevel: "warning",
});
const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
const js = outputs.find((name) => name.endsWith(".js"));
const css = outputs.find((name) => name.endsWith(".css"));
if (!js || !css) throw new Error(`expected a .js and a .css output, got ${outputs.join(", ")}`);
const page = (await readFile(join(here, "index.html"), "utf8")).replace("__JS__", js).replace("__CSS__", css);
await writeFile(join(outdir, "index.html"), page);
await copyFile(join(here, "../extension/icons/icon32.png"), join(outdir, "icon.png"));
