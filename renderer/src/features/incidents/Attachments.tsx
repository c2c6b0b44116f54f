import { Download, FileText, LoaderCircle, Paperclip } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useAppStore } from '../../store';
import { downloadBase64 } from '../../app/download';
import { fileSize } from './format';
import type { AttachmentRead } from './incidentsSlice';

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * An attachment in the timeline: an image as a thumbnail (a data: URL, which the CSP allows for
 * images), anything else by name and size with a download. Bytes are read only when the row is
 * in view (the timeline is virtualised), and checked against their hash by the core.
 */
export function AttachmentPreview({ incidentId, data }: { incidentId: string; data: Record<string, unknown> }) {
  const read = useAppStore((s) => s.readAttachment);
  const sha256 = text(data.sha256);
  const mediaType = text(data.mediaType);
  const name = text(data.name) || 'attachment';
  const image = /^image\/(png|jpeg|gif|webp)$/.test(mediaType);
  const [bytes, setBytes] = useState<AttachmentRead | null>(null);
  useEffect(() => {
    if (!image || !/^[0-9a-f]{64}$/.test(sha256)) return;
    let live = true;
    void read(incidentId, sha256).then((r) => live && setBytes(r));
    return () => {
      live = false;
    };
  }, [image, incidentId, sha256, read]);
  async function download() {
    const r = bytes ?? (await read(incidentId, sha256));
    setBytes(r);
    if (r.ok) downloadBase64(r.name, r.mediaType, r.base64);
  }
  return (
    <div className="timeline-file">
      {image && bytes?.ok ? <img src={`data:${bytes.mediaType};base64,${bytes.base64}`} alt={name} className="timeline-thumb" /> : null}
      {image && bytes === null ? <LoaderCircle size={14} className="spin" aria-label="Loading the image" /> : null}
      {!image ? <FileText size={14} aria-hidden="true" /> : null}
      <button type="button" className="link-button timeline-action" onClick={() => void download()} aria-label={`Download ${name}`}>
        <Download size={12} aria-hidden="true" /> Download
      </button>
      {bytes && !bytes.ok ? (
        <span className="field-error" role="alert">
          {bytes.message}
        </span>
      ) : null}
    </div>
  );
}

/** "Attach file": the picker; the incident page takes drops and pasted images too (useAttachDrop). */
export function AttachButton({ incidentId }: { incidentId: string }) {
  const attach = useAttach(incidentId);
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        type="file"
        hidden
        multiple
        aria-label="Attach files to the incident"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          void attach(files);
        }}
      />
      <button type="button" className="button" onClick={() => input.current?.click()} title="Or drop a file, or paste a screenshot, on the incident">
        <Paperclip size={14} aria-hidden="true" /> Attach
      </button>
    </>
  );
}

/** Attaches files one by one, saying how each went (an error toast names the file). */
export function useAttach(incidentId: string) {
  const attachFile = useAppStore((s) => s.attachIncidentFile);
  const pushToast = useAppStore((s) => s.pushToast);
  return async (files: File[]) => {
    for (const file of files) {
      const message = await attachFile(incidentId, file);
      if (message === null) pushToast({ kind: 'success', title: 'Attached', message: `${file.name || 'The pasted image'} (${fileSize(file.size)}) is in the journal.` });
      else pushToast({ kind: 'error', title: `Attaching ${file.name || 'the pasted image'} failed`, message });
    }
  };
}
