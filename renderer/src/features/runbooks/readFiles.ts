/** Reading dropped or picked files in the renderer, before they are sent to the core. */
export const MAX_RUNBOOK_BYTES = 16 * 1024 * 1024;
export const RUNBOOK_FILE_ACCEPT = '.md,.markdown,.txt';

export interface ReadFiles {
  files: { name: string; text: string }[];
  errors: { name: string; message: string }[];
}

export async function readRunbookFiles(list: readonly File[]): Promise<ReadFiles> {
  const out: ReadFiles = { files: [], errors: [] };
  for (const file of list) {
    if (file.size > MAX_RUNBOOK_BYTES) {
      out.errors.push({
        name: file.name,
        message: `This file is ${(file.size / 1024 / 1024).toFixed(1)} MB; a runbook file is at most 16 MB. Nothing was imported from it.`,
      });
      continue;
    }
    try {
      out.files.push({ name: file.name, text: await file.text() });
    } catch (error) {
      out.errors.push({
        name: file.name,
        message: `Could not read this file (${error instanceof Error ? error.message : String(error)}). Check it is a local text file and try again.`,
      });
    }
  }
  return out;
}
