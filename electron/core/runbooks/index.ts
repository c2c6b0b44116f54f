/**
 * Runbooks: the importer (Markdown in, ImportedRunbook out; pure) and the library that stores,
 * lists and searches what was imported.
 */
export { ImportError, MAX_RUNBOOK_BYTES, hashText, importRunbook } from './importer';
export { RunbookLibrary, type RunbookFile } from './library';
export { EditError, replaceCommandCode } from './edit';
export { exportRunbook } from './export';
export { lintRunbook, type LintOptions } from './lint';
