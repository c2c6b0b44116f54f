/**
 * The crash test's writer (test/integration/incident-journal-crash.test.ts): appends journal events
 * to one incident in the data dir given, as fast as it can, and prints each seq once append has
 * returned, that is once the event is on disk. The test kills it with SIGKILL at random points.
 *
 *   node --import tsx test/support/journal-writer.ts <dataDir> <incidentId>
 */
import { writeSync } from 'node:fs';
import { openStore } from '../../electron/core/db';
import { Journal } from '../../electron/core/incidents';
import { systemClock } from '../../electron/core/clock';

const [dataDir, incidentId] = process.argv.slice(2);
if (!dataDir || !incidentId) throw new Error('usage: journal-writer <dataDir> <incidentId>');
const journal = new Journal(openStore(dataDir).db, systemClock);
writeSync(1, 'ready\n');
for (let n = 0; ; n++) {
  const event = journal.append(incidentId, 'note', { text: `note ${n} from pid ${process.pid}`, padding: 'x'.repeat(n % 500) });
  // writeSync: the line leaves before the next append starts, so a printed seq is one that was saved.
  writeSync(1, `${event.seq}\n`);
}
