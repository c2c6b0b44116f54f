import m0001 from './0001-initial';
import m0002 from './0002-sources';
import m0003 from './0003-environment-targets';
import m0004 from './0004-secrets';
import m0005 from './0005-known-hosts';
import m0006 from './0006-transcripts';
import m0007 from './0007-alerts';
import m0008 from './0008-incidents';
import m0009 from './0009-journal-damaged';
import m0010 from './0010-reports';

/** Numbered migrations, applied in order; a migration's number is its index + 1 and becomes
 * `PRAGMA user_version` once it is applied. Never edit one that has shipped: add the next. */
export const migrations: readonly string[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010];
