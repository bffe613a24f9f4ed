/** What exportWorkOrders returns: a named file with its content. */
export interface DownloadableFile {
  filename: string;
  contentType: string;
  content: string;
}

/**
 * Offers a file to the operator as a download, from memory: a Blob URL on a temporary link with the
 * download attribute (nothing is sent anywhere; the CSP needs no change). The URL is revoked a while
 * later, once the browser has taken the file.
 */
export function offerDownload(file: DownloadableFile, doc: Document = document): void {
  const url = URL.createObjectURL(new Blob([file.content], { type: file.contentType }));
  const link = doc.createElement('a');
  link.href = url;
  link.download = file.filename;
  link.rel = 'noopener';
  link.hidden = true;
  doc.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
