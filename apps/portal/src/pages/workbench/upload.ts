import { api, call } from '../../api/client';
import type { UploadSession } from '../../api/types';

export const CHUNK_BYTES = 2 * 1024 * 1024;

const key = (datasetId: string, f: File) => `govdata.upload:${datasetId}:${f.name}:${f.size}:${f.lastModified}`;

/**
 * Resumable upload (断点续传): opens a session (or reuses the one left by an interrupted upload of
 * the same file), asks the server where to resume (HEAD → Upload-Offset) and sends the rest in
 * chunks. When the last chunk lands, the server creates the ingest job.
 */
export async function resumableUpload(datasetId: string, file: File, onProgress: (sent: number, total: number) => void, signal: AbortSignal): Promise<UploadSession> {
  const k = key(datasetId, file);
  let sessionId = localStorage.getItem(k);
  let offset = 0;
  if (sessionId) {
    try {
      const res = await call(`/api/ingest/upload-sessions/${sessionId}`, { method: 'HEAD', signal });
      offset = Number(res.headers.get('upload-offset') ?? 0);
    } catch {
      sessionId = null;
    }
  }
  if (!sessionId) {
    const s = await api<UploadSession>(`/api/ingest/datasets/${datasetId}/upload-sessions`, { body: { fileName: file.name, size: file.size }, signal });
    sessionId = s.id;
    localStorage.setItem(k, s.id);
  }
  onProgress(offset, file.size);
  let session: UploadSession | undefined;
  while (offset < file.size || !session) {
    const chunk = file.slice(offset, Math.min(file.size, offset + CHUNK_BYTES));
    session = await api<UploadSession>(`/api/ingest/upload-sessions/${sessionId}`, {
      method: 'PATCH',
      body: chunk,
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
      signal,
    });
    offset = session.offset;
    onProgress(offset, file.size);
    if (session.status === 'complete') break;
  }
  localStorage.removeItem(k);
  return session;
}
