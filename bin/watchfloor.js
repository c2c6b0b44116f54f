#!/usr/bin/env node
// The `watchfloor` command: runs the built CLI (out/main/cli.js).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('watchfloor: not built yet; run `npm run build` in the Watchfloor folder first\n');
  process.exit(1);
}
await import(pathToFileURL(cli).href);
