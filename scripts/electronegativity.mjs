// `npm run test:security`: Electronegativity over the Electron code (electron/) and the renderer's
// page (renderer/index.html, for its CSP), scanned together so that the global checks see both.
// Fails when a HIGH or MEDIUM finding is not explained in docs/security.md's "Electronegativity
// findings" table (matched by check id and file).
//
// Offline and quick: the check that downloads Electron's release list is left out (Electron's
// version is pinned in package.json and updated through npm), and the tool's other network use
// (fetching translations, retried for seconds when offline) is answered "offline" at once. Its
// CLI does not start with the commander this project installs, so its runner is called directly;
// the full report goes to a CSV file in the temp folder.
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { repoRoot } from './electron-binary.mjs';

const require = createRequire(import.meta.url);
const targets = ['electron', 'renderer/index.html'];
const offlineOnly = ['availablesecurityfixesglobalcheck'];
const mustExplain = new Set(['HIGH', 'MEDIUM']);

function workOffline() {
  const toolDir = dirname(require.resolve('@doyensec/electronegativity/package.json'));
  const gotPath = require.resolve('got', { paths: [toolDir] });
  const offline = () => Promise.reject(new Error('offline'));
  offline.head = offline;
  require.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: offline };
}

/** Rows `| CHECK_ID | path/in/repo | why |` under the "Electronegativity findings" heading. */
function explainedFindings() {
  let doc = '';
  try {
    doc = readFileSync(join(repoRoot, 'docs', 'security.md'), 'utf8');
  } catch {
    console.log('docs/security.md is missing: no finding counts as explained');
  }
  const section = doc.split(/^## /m).find((s) => s.startsWith('Electronegativity findings')) ?? '';
  const explained = new Set();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim().replace(/^`|`$/g, ''));
    if (cells.length >= 4 && /^[A-Z_]+_CHECK$/.test(cells[1] ?? '') && cells[3]) explained.add(`${cells[1]} ${cells[2]}`);
  }
  return explained;
}

async function scan(run, input, output) {
  const log = console.log;
  console.log = () => {}; // "could not retrieve translations" and the like: network notes, not findings
  try {
    return await run(
      {
        input,
        output,
        isSarif: false,
        isRelative: false,
        customScan: [],
        excludeFromScan: offlineOnly,
        electronVersionOverride: JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'electron', 'package.json'), 'utf8')).version,
        parserPlugins: [],
      },
      false,
    );
  } finally {
    console.log = log;
  }
}

workOffline();
const run = require('@doyensec/electronegativity/dist/runner.js');
const stage = mkdtempSync(join(tmpdir(), 'watchfloor-electronegativity-'));
const input = join(stage, 'scanned');
for (const target of targets) {
  mkdirSync(dirname(join(input, target)), { recursive: true });
  cpSync(join(repoRoot, target), join(input, target), { recursive: true });
}
const report = join(stage, 'report.csv');
const { issues, errors } = await scan(run, input, report);

const explained = explainedFindings();
const unexplained = [];
const others = [];
let explainedCount = 0;
for (const e of errors.filter((e) => !e.tolerable)) unexplained.push(`could not parse ${relative(input, e.file)}: ${e.message}`);
for (const issue of issues) {
  const file = issue.file === 'N/A' ? 'N/A' : relative(input, issue.file).split('\\').join('/');
  const line = `${issue.severity.name} ${issue.id} at ${file}:${issue.location.line}: ${issue.description}`;
  if (!mustExplain.has(issue.severity.name)) others.push(line);
  else if (explained.has(`${issue.id} ${file}`)) explainedCount++;
  else unexplained.push(line);
}

for (const line of others) console.log(`  note: ${line}`);
for (const line of unexplained) console.log(`  unexplained: ${line}`);
console.log(
  `electronegativity: ${issues.length} finding(s) in ${targets.join(' and ')}; ${unexplained.length} HIGH/MEDIUM unexplained, ` +
    `${explainedCount} explained in docs/security.md, ${others.length} LOW/INFORMATIONAL. Full report: ${report}`,
);
process.exit(unexplained.length ? 1 : 0);
