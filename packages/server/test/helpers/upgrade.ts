/**
 * Opens a WebSocket and reports how the upgrade ended: open, or refused before the handshake
 * with an HTTP status, `Retry-After` and a JSON body. Sockets are kept for `terminateUpgrades`.
 */
import WebSocket from 'ws';

export type UpgradeOutcome =
  | { readonly open: true; readonly socket: WebSocket }
  | {
      readonly open: false;
      readonly status: number;
      readonly retryAfter: string | undefined;
      readonly body: unknown;
    };

const opened: WebSocket[] = [];

export function tryUpgrade(
  url: string,
  headers: Record<string, string> = {},
): Promise<UpgradeOutcome> {
  const ws = new WebSocket(url, { headers });
  opened.push(ws);
  ws.on('error', () => undefined);
  return new Promise((resolve) => {
    ws.once('open', () => resolve({ open: true, socket: ws }));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ open: false, status: res.statusCode ?? 0, retryAfter, body: JSON.parse(text) });
      });
    });
  });
}

/** Terminates every socket `tryUpgrade` opened (call it in afterEach). */
export function terminateUpgrades(): void {
  for (const ws of opened.splice(0)) ws.terminate();
}
