/**
 * Pause, resume and stop as the panel sends them (firmware/esp32/lib/marquee_core/mq_command.c):
 *
 *   pause / resume  POST /api/dashboard/session/{id}/control {"action", "timeout_ms"}: 200 once
 *                   the web player playing the session acknowledged it
 *   stop            the same route; when no player could take it (409 PLAYER_NOT_CONNECTED, never
 *                   delivered) the seed's POST /api/dashboard/session/{id}/stop, which removes it
 *
 * Both need a user's bearer token: display tokens are read-only (403). The whole command has
 * `controlTimeoutMs + controlGraceMs`; past that it has timed out, whatever comes back later.
 */
import type { PanelLimits } from './limits';

export type PanelAction = 'pause' | 'resume' | 'stop';

/** How a command ended. */
export type CommandOutcome =
  | { readonly status: 'acked'; readonly route: 'control' | 'stop' }
  | {
      readonly status: 'failed';
      /** The server's error code (`PLAYER_NOT_CONNECTED` ...) or a local one (`NETWORK`). */
      readonly code: string;
      readonly httpStatus?: number;
      readonly detail?: string;
    }
  | { readonly status: 'timeout' };

export interface CommandRequest {
  readonly action: PanelAction;
  readonly sessionId: string;
}

export interface CommandContext {
  /** `http://host:port` */
  readonly baseUrl: string;
  /** A user's access token; without one the command fails with NO_CREDENTIALS. */
  readonly token: string | undefined;
  readonly fetch: typeof fetch;
  readonly limits: Pick<PanelLimits, 'controlTimeoutMs' | 'controlGraceMs'>;
}

interface HttpAnswer {
  readonly status: number;
  readonly code: string | undefined;
  readonly detail: string | undefined;
}

/** Sends one command and resolves with its outcome; never rejects. */
export async function sendCommand(
  request: CommandRequest,
  context: CommandContext,
): Promise<CommandOutcome> {
  if (context.token === undefined || context.token === '') {
    return { status: 'failed', code: 'NO_CREDENTIALS' };
  }
  const { controlTimeoutMs, controlGraceMs } = context.limits;
  const signal = AbortSignal.timeout(controlTimeoutMs + controlGraceMs);
  const base = `${context.baseUrl.replace(/\/+$/, '')}/api/dashboard/session/${encodeURIComponent(request.sessionId)}`;
  try {
    const control = await post(
      `${base}/control`,
      { action: request.action, timeout_ms: controlTimeoutMs },
      context,
      signal,
    );
    if (control.status === 200) return { status: 'acked', route: 'control' };
    if (
      request.action === 'stop' &&
      control.status === 409 &&
      control.code === 'PLAYER_NOT_CONNECTED'
    ) {
      const stop = await post(`${base}/stop`, undefined, context, signal);
      if (stop.status === 200) return { status: 'acked', route: 'stop' };
      return failed(stop);
    }
    return failed(control);
  } catch (error) {
    if (signal.aborted) return { status: 'timeout' };
    return {
      status: 'failed',
      code: 'NETWORK',
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}

/** What the panel shows for a command: `Pausing…`, `Paused`, `Pause failed: CODE`, `Pause timed out`. */
export function describeCommand(action: PanelAction, outcome: CommandOutcome | undefined): string {
  const verb = { pause: 'Pause', resume: 'Resume', stop: 'Stop' }[action];
  if (outcome === undefined)
    return { pause: 'Pausing…', resume: 'Resuming…', stop: 'Stopping…' }[action];
  switch (outcome.status) {
    case 'acked':
      return { pause: 'Paused', resume: 'Resumed', stop: 'Stopped' }[action];
    case 'failed':
      return `${verb} failed: ${outcome.code}`;
    case 'timeout':
      return `${verb} timed out`;
  }
}

function failed(answer: HttpAnswer): CommandOutcome {
  return {
    status: 'failed',
    code: answer.code ?? `HTTP_${answer.status}`,
    httpStatus: answer.status,
    ...(answer.detail === undefined ? {} : { detail: answer.detail }),
  };
}

async function post(
  url: string,
  body: unknown,
  context: CommandContext,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${context.token ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await context.fetch(url, {
    method: 'POST',
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal,
  });
  const text = await response.text();
  let code: string | undefined;
  let detail: string | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) {
      const fields = parsed as Record<string, unknown>;
      if (typeof fields.code === 'string') code = fields.code;
      if (typeof fields.detail === 'string') detail = fields.detail;
    }
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return { status: response.status, code, detail };
}
