import type { ImportedBundle, ImportedBundleSummary, RedactionSummary, ReportFile, ReportFormat, ReportTarget, ReportTemplate } from '@shared/contract';
import type { SliceContext } from '../../store';
import { errorMessage } from '../../app/toasts/errorMessage';

export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };

export interface ReportsSlice {
  /** What the export dialog is open for (an incident, or the shift hand-off); null when closed. */
  exportTarget: ReportTarget | null;
  openExport(target: ReportTarget): void;
  closeExport(): void;
  /** The Markdown report as it would be exported, and what redaction takes out of it. */
  previewReport(target: ReportTarget): Promise<Outcome<{ markdown: string; redactions: RedactionSummary }>>;
  exportReport(target: ReportTarget, format: ReportFormat): Promise<Outcome<ReportFile>>;
  readReportTemplate(): Promise<Outcome<ReportTemplate>>;
  /** null puts the default back. */
  saveReportTemplate(template: string | null): Promise<Outcome<ReportTemplate>>;

  /** Bundles imported from other laptops, newest first, read-only. */
  bundles: ImportedBundleSummary[];
  bundlesLoaded: boolean;
  /** Why the list could not be read (shown in the Imported section, not as a toast on every visit). */
  bundlesError: string | null;
  /** Bundles read in full, by id. */
  bundleDetails: Record<string, ImportedBundle>;
  /** The bundle shown instead of an incident on the Incidents page. */
  selectedBundleId: string | null;
  /** Once: load the list and follow `bundles.changed`. */
  startBundles(): void;
  loadBundles(): Promise<void>;
  selectBundle(id: string | null): void;
  loadBundle(id: string): Promise<void>;
  /** Reads a bundle file chosen by the operator and imports it; the new bundle is then shown. */
  importBundleFile(file: File): Promise<void>;
  deleteBundle(id: string): Promise<void>;
}

async function outcome<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, message: errorMessage(error) };
  }
}

/**
 * Reports and bundles: the export dialog's calls (each answers an outcome the dialog shows in
 * place, so an error stays beside what caused it), and the imported bundles, which `bundles.changed`
 * keeps current across windows and laptops.
 */
export function createReportsSlice({ set, get, api }: SliceContext): ReportsSlice {
  let started = false;
  return {
    exportTarget: null,
    openExport(target) {
      set({ exportTarget: target, paletteOpen: false });
    },
    closeExport() {
      set({ exportTarget: null });
    },
    previewReport: (target) => outcome(api.call('reports.preview', { target })),
    exportReport: (target, format) => outcome(api.call('reports.export', { target, format })),
    readReportTemplate: () => outcome(api.call('reports.template', {})),
    saveReportTemplate: (template) => outcome(api.call('reports.setTemplate', { template })),

    bundles: [],
    bundlesLoaded: false,
    bundlesError: null,
    bundleDetails: {},
    selectedBundleId: null,
    startBundles() {
      if (started) return;
      started = true;
      api.on('bundles.changed', ({ ids }) => {
        void get().loadBundles();
        for (const id of ids) if (get().bundleDetails[id]) void get().loadBundle(id);
      });
      void get().loadBundles();
    },
    async loadBundles() {
      try {
        const bundles = await api.call('bundles.list', {});
        set((s) => {
          const selectedBundleId = bundles.some((b) => b.id === s.selectedBundleId) ? s.selectedBundleId : null;
          return { bundles, bundlesLoaded: true, bundlesError: null, selectedBundleId };
        });
      } catch (error) {
        set({ bundlesLoaded: true, bundlesError: errorMessage(error) });
      }
    },
    selectBundle(id) {
      set({ selectedBundleId: id });
      if (id && !get().bundleDetails[id]) void get().loadBundle(id);
    },
    async loadBundle(id) {
      try {
        const bundle = await api.call('bundles.get', { id });
        set((s) => ({ bundleDetails: { ...s.bundleDetails, [id]: bundle } }));
      } catch (error) {
        get().reportError('Reading the imported bundle', error);
      }
    },
    async importBundleFile(file) {
      let text: string;
      try {
        text = await file.text();
      } catch (error) {
        get().pushToast({ kind: 'error', title: `Importing ${file.name} failed`, message: `The file could not be read: ${errorMessage(error)}` });
        return;
      }
      try {
        const summary = await api.call('bundles.import', { fileName: file.name || 'bundle.json', text });
        set((s) => ({ bundles: [summary, ...s.bundles.filter((b) => b.id !== summary.id)] }));
        get().selectBundle(summary.id);
        const verdict = summary.verification.ok ? 'its chain is verified' : `its chain is broken at event #${summary.verification.brokenSeq}`;
        get().pushToast({ kind: summary.verification.ok ? 'success' : 'info', title: 'Bundle imported', message: `${summary.title} is under Imported, read-only; ${verdict}.` });
      } catch (error) {
        get().reportError(`Importing ${file.name}`, error);
      }
    },
    async deleteBundle(id) {
      try {
        await api.call('bundles.delete', { id });
        set((s) => {
          const { [id]: _gone, ...bundleDetails } = s.bundleDetails;
          return { bundles: s.bundles.filter((b) => b.id !== id), bundleDetails, selectedBundleId: s.selectedBundleId === id ? null : s.selectedBundleId };
        });
      } catch (error) {
        get().reportError('Deleting the imported bundle', error);
      }
    },
  };
}
