/** Save text as a file through the browser's own download (no Node in the renderer). */
export function downloadText(fileName: string, text: string, type = 'text/plain'): void {
  save(fileName, new Blob([text], { type: `${type};charset=utf-8` }));
}

/** Save bytes the core sent as base64 (an attachment, a PDF report) the same way. */
export function downloadBase64(fileName: string, mediaType: string, base64: string): void {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  save(fileName, new Blob([bytes], { type: mediaType || 'application/octet-stream' }));
}

function save(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke once the click has been handled; revoking at once can cancel the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
