// ESLint for the project's JavaScript: the Chrome extension (extension/), the clinic dashboard (web/, JSX) and this
// file. It lints the whole repo but for the ignores below, so new JavaScript gets these rules at once; give it a
// block with its globals, as extension/ and web/ have. `make lint` runs it, then tsc for the types (tsconfig.json).
import js from "@eslint/js";
import globals from "globals";

// Modules that run in the extension's service worker (background.js and what it imports): no DOM there. A new
// module that background.js imports belongs here.
const SERVICE_WORKER = [
  "extension/background.js",
  "extension/lib/api.js",
  "extension/lib/best-time.js",
  "extension/lib/cognito.js",
  "extension/lib/http.js",
  "extension/lib/idexx.js",
  "extension/lib/platform.js",
  "extension/lib/preferences.js",
  "extension/lib/session.js",
  "extension/lib/time.js",
];

export default [
  {
    ignores: [
      "node_modules/",
      ".venv/",
      ".tools/",
      "cdk.out/",
      ".build/",
      "dist/",
      "test-artifacts/",
      "bench/results/",
      "**/.*_cache/",
      ".hypothesis/",
    ],
  },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error", reportUnusedInlineConfigs: "error" },
    rules: {
      // Beyond the recommended set: mistakes it lets through, and a little style.
      eqeqeq: ["error", "always"],
      "no-var": "error",
      "prefer-const": "error",
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_", caughtErrors: "all" }],
      "no-shadow": "error",
      "no-throw-literal": "error",
      "prefer-promise-reject-errors": "error",
      "no-promise-executor-return": "error",
      "no-constructor-return": "error",
      "no-self-compare": "error",
      "no-template-curly-in-string": "error",
      "no-unmodified-loop-condition": "error",
      "no-unreachable-loop": "error",
      "no-useless-return": "error",
      "no-useless-concat": "error",
      "no-new-wrappers": "error",
      "no-implicit-coercion": "error",
      "no-param-reassign": "error",
      "no-console": "error", // nothing about a patient goes to a log, not even while debugging
      "no-alert": "error",
      "object-shorthand": ["error", "always"],
      "prefer-template": "error",
      curly: ["error", "multi-line"],
      // Manifest V3 refuses eval'd and remote code: keep it out of the source, too.
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-script-url": "error",
    },
  },
  {
    files: ["extension/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser, ...globals.webextensions },
    },
  },
  {
    files: SERVICE_WORKER,
    languageOptions: { globals: { ...globals.serviceworker, ...globals.webextensions } },
    rules: {
      "no-restricted-globals": [
        "error",
        ...["document", "window", "localStorage", "sessionStorage", "alert"].map((name) => ({
          name,
          message: "The service worker has no DOM: this module runs in background.js.",
        })),
      ],
    },
  },
  {
    // The clinic dashboard: Preact components in JSX (ESLint tracks the components JSX uses), bundled by esbuild.
    files: ["web/src/**/*.{js,jsx}"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      parserOptions: { ecmaFeatures: { jsx: true } },
      globals: globals.browser,
    },
  },
  {
    // Node scripts: the dashboard's build, the import-cycle check, the JavaScript's unit tests (node --test).
    files: ["web/*.mjs", "scripts/*.mjs", "tests/**/*.mjs"],
    languageOptions: { globals: globals.node },
  },
  {
    // Content scripts are classic scripts, not modules (manifest.json: content_scripts).
    files: ["extension/content.js"],
    languageOptions: { sourceType: "script" },
  },
  {
    // The API reference page `make dev` serves (standins/api_docs.py): a classic script beside Swagger UI's bundle.
    files: ["standins/api_docs_page/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "script", globals: globals.browser },
  },
  {
    files: ["*.mjs"],
    languageOptions: { globals: globals.node },
  },
];
