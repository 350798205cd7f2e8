// Saves text or a blob as a download (an <a download> click), the one way the eval screen hands files out.

export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export function download(file: { name: string; mime: string; text: string } | null): void {
  if (file) saveBlob(new Blob([file.text], { type: `${file.mime};charset=utf-8` }), file.name);
}
