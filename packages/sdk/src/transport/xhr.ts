/**
 * One request through XMLHttpRequest, for the one thing fetch cannot do: report how much of a
 * request body went up (`upload.onprogress`). Used only where a caller asks for upload progress
 * and the runtime has XMLHttpRequest (browsers); everything else about the request (headers,
 * abort, the answer's status and text) matches the fetch path.
 */

/** Bytes of the body sent so far, and the body's size when the browser knows it. */
export type UploadProgress = (sent: number, total: number | undefined) => void;

export interface XhrRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly body: string | FormData | undefined;
  readonly signal: AbortSignal;
  readonly onUploadProgress: UploadProgress;
}

/** Whether this runtime can report upload progress. */
export function canReportUploadProgress(): boolean {
  return typeof XMLHttpRequest === 'function';
}

export function xhrRequest(request: XhrRequest): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(request.method, request.url);
    request.headers.forEach((value, name) => xhr.setRequestHeader(name, value));
    xhr.upload.onprogress = (event) =>
      request.onUploadProgress(event.loaded, event.lengthComputable ? event.total : undefined);
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => reject(new TypeError('Network request failed'));
    const abort = () => xhr.abort();
    const reason = (): Error =>
      request.signal.reason instanceof Error
        ? request.signal.reason
        : new DOMException('Aborted', 'AbortError');
    xhr.onabort = () => reject(reason());
    xhr.onloadend = () => request.signal.removeEventListener('abort', abort);
    if (request.signal.aborted) return reject(reason());
    request.signal.addEventListener('abort', abort, { once: true });
    xhr.send(request.body ?? null);
  });
}
