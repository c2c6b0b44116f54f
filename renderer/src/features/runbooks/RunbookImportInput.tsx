import { useAppStore } from '../../store';
import { registerImportInput } from './importPicker';
import { RUNBOOK_FILE_ACCEPT } from './readFiles';

export function RunbookImportInput() {
  const importFiles = useAppStore((s) => s.importRunbookFiles);
  return (
    <input
      ref={registerImportInput}
      type="file"
      multiple
      accept={RUNBOOK_FILE_ACCEPT}
      aria-label="Runbook files to import"
      hidden
      onChange={(e) => {
        const files = Array.from(e.currentTarget.files ?? []);
        e.currentTarget.value = ''; // picking the same file again must import it again
        void importFiles(files);
      }}
    />
  );
}
