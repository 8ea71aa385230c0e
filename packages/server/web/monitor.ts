/**
 * The monitoring page (`/monitor`): current figures, history charts (uPlot) with a range picker,
 * alerts, and the configured services with a restart button for callers whose role may restart
 * (operator, admin). Live through the `/monitoring` socket (`metrics`, `alert`, `status`).
 *
 * Credentials as the GPU page: `#token=` in the URL fragment (a display token scoped `monitoring`
 * for a read-only wall panel; a legacy `?token=` is moved there) sent as a Bearer header, or the
 * session cookie; a 401 shows a sign-in form that sets the cookie. The socket takes the token as
 * `?token=` (a browser cannot set a header on a WebSocket), as the SDK's clients do.
 *
 * Deliberately free of the SDK and zod: plain fetch and WebSocket keep the bundle to uPlot and this.
 * Every chart (CPU, memory, disk, network speeds) draws from the stored history.
 */
import uPlot from 'uplot';
import { $, connectionIndicator, displayToken } from './page';
import { signInForm } from './signin';

type Status = 'healthy' | 'warning' | 'critical';
interface Metrics {
  cpu: { usage: number; status: Status; temperature: number | null; cores: number[] };
  memory: { usage: number; status: Status; total: number; used: number; free: number };
  disk: { usage: number; status: Status; total: number; used: number; free: number };
  network?: { status: Status; download_speed: number; upload_speed: number };
}
interface Alert {
  id: string;
  timestamp: string;
  level: 'info' | 'warning' | 'error';
  message: string;
  source: string;
}
interface Service {
  name: string;
  status: string;
}
interface HistoryPoint {
  timestamp: string;
  cpu: { usage: number };
  memory: { usage: number };
  disk: { usage: number };
  network?: { download_speed: number; upload_speed: number };
}

/** The picker's ranges: span in ms and the resolution asked for (≤ 1000 points each). */
const RANGES: Record<string, { ms: number; resolution: string }> = {
  '1h': { ms: 3_600_000, resolution: '5s' },
  '24h': { ms: 86_400_000, resolution: '2m' },
  '7d': { ms: 7 * 86_400_000, resolution: '15m' },
  '30d': { ms: 30 * 86_400_000, resolution: '1h' },
};
/** Alerts kept on the page. */
const MAX_ALERTS = 50;

const token = displayToken();
const message = $<HTMLElement>('#message');
const setConnection = connectionIndicator({ closed: 'Signed out' });

class HttpError extends Error {
  constructor(
    readonly status: number,
    text: string,
  ) {
    super(text);
  }
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
  const res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  const body = (await res.json().catch(() => undefined)) as
    { error?: { message?: string } } | undefined;
  if (!res.ok) throw new HttpError(res.status, body?.error?.message ?? `HTTP ${res.status}`);
  return body as T;
}

function show(error: unknown): void {
  message.hidden = false;
  message.textContent = error instanceof Error ? error.message : String(error);
}

const fixed = (n: number, digits = 1) => n.toFixed(digits);

function renderFigures(m: Metrics): void {
  const figure = (name: string, status: Status, value: string, detail: string) => {
    const card = $<HTMLElement>(`.figure[data-metric="${name}"]`);
    card.dataset.status = status;
    $<HTMLElement>('.value', card).textContent = value;
    $<HTMLElement>('.detail', card).textContent = detail;
  };
  figure(
    'cpu',
    m.cpu.status,
    `${fixed(m.cpu.usage)} %`,
    [
      m.cpu.cores.length > 0 ? `${m.cpu.cores.length} cores` : '',
      m.cpu.temperature === null ? '' : `${fixed(m.cpu.temperature, 0)} °C`,
    ]
      .filter((part) => part !== '')
      .join(' · '),
  );
  figure(
    'memory',
    m.memory.status,
    `${fixed(m.memory.usage)} %`,
    `${fixed(m.memory.used)} / ${fixed(m.memory.total)} GB`,
  );
  figure(
    'disk',
    m.disk.status,
    `${fixed(m.disk.usage)} %`,
    `${fixed(m.disk.free)} GB free of ${fixed(m.disk.total)} GB`,
  );
  if (m.network)
    figure(
      'network',
      m.network.status,
      `↓ ${fixed(m.network.download_speed, 2)}`,
      `↑ ${fixed(m.network.upload_speed, 2)} MB/s`,
    );
}

// ---- Charts ----------------------------------------------------------------------------------

const COLORS = {
  cpu: '#4fc3f7',
  memory: '#ba68c8',
  disk: '#ffb74d',
  down: '#3ecf8e',
  up: '#f06292',
};
const charts = new Map<string, uPlot>();
let range = '1h';

function chartSize(el: HTMLElement): { width: number; height: number } {
  const width = Math.max(200, el.clientWidth);
  return { width, height: Math.round(Math.min(320, Math.max(140, width * 0.4))) };
}

function makeChart(name: string, series: { label: string; stroke: string }[], max?: number): void {
  const el = $<HTMLElement>(`.chart[data-chart="${name}"]`);
  const axis = { stroke: '#9aa3b2', grid: { stroke: '#252b37' }, ticks: { stroke: '#252b37' } };
  const chart = new uPlot(
    {
      ...chartSize(el),
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: true },
        y: max === undefined ? {} : { range: [0, max] },
      },
      axes: [axis, axis],
      series: [
        {},
        ...series.map((s) => ({
          ...s,
          width: 2,
          // Dots only while there are too few points to draw a line.
          points: { show: (u: uPlot) => u.data[0].length < 3, size: 8, fill: s.stroke },
        })),
      ],
    },
    [[], ...series.map(() => [])],
    el,
  );
  charts.set(name, chart);
}

/**
 * Fitted to the data; fewer than two points get `span` (the picked range, in seconds since the
 * epoch) instead of uPlot's default span of years around a lone point.
 */
function setChart(name: string, data: uPlot.AlignedData, span?: [number, number]): void {
  const chart = charts.get(name);
  if (!chart) return;
  chart.setData(data, span === undefined || data[0].length >= 2);
  if (span !== undefined && data[0].length < 2) chart.setScale('x', { min: span[0], max: span[1] });
  const el = $<HTMLElement>(`.chart[data-chart="${name}"]`);
  el.dataset.points = String(data[0].length);
}

makeChart('cpu', [{ label: 'CPU', stroke: COLORS.cpu }], 100);
makeChart('memory', [{ label: 'Memory', stroke: COLORS.memory }], 100);
makeChart('disk', [{ label: 'Disk', stroke: COLORS.disk }], 100);
makeChart('network', [
  { label: 'Down', stroke: COLORS.down },
  { label: 'Up', stroke: COLORS.up },
]);

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const [name, chart] of charts) {
      chart.setSize(chartSize($<HTMLElement>(`.chart[data-chart="${name}"]`)));
    }
  }, 150);
});

let historyRequest = 0;

async function loadHistory(): Promise<void> {
  const { ms, resolution } = RANGES[range]!;
  const request = ++historyRequest;
  const end = new Date();
  const start = new Date(end.getTime() - ms);
  const query = new URLSearchParams({
    start: start.toISOString(),
    end: end.toISOString(),
    resolution,
    maxPoints: '1000',
  });
  const state = $<HTMLElement>('#history-state');
  try {
    const answer = await api<{ metrics: HistoryPoint[] }>(`/api/v1/metrics/history?${query}`);
    if (request !== historyRequest) return;
    const points = answer.metrics;
    const xs = points.map((p) => Date.parse(p.timestamp) / 1000);
    const span: [number, number] = [start.getTime() / 1000, end.getTime() / 1000];
    setChart('cpu', [xs, points.map((p) => p.cpu.usage)], span);
    setChart('memory', [xs, points.map((p) => p.memory.usage)], span);
    setChart('disk', [xs, points.map((p) => p.disk.usage)], span);
    setChart(
      'network',
      [
        xs,
        points.map((p) => p.network?.download_speed ?? null),
        points.map((p) => p.network?.upload_speed ?? null),
      ],
      span,
    );
    state.hidden = points.length > 0;
    state.textContent = 'No history recorded in this range yet.';
  } catch (error) {
    if (request === historyRequest) show(error);
  }
}

const rangeButtons = document.querySelectorAll<HTMLButtonElement>('#range button');
for (const button of rangeButtons) {
  button.addEventListener('click', () => {
    range = button.dataset.range ?? '1h';
    for (const b of rangeButtons) b.setAttribute('aria-pressed', String(b === button));
    void loadHistory();
  });
}

// ---- Alerts and services ---------------------------------------------------------------------

const alertsEl = $<HTMLUListElement>('#alerts');
function addAlert(alert: Alert, atTop: boolean): void {
  if (alertsEl.querySelector(`[data-id="${CSS.escape(alert.id)}"]`)) return;
  const fragment = $<HTMLTemplateElement>('#alert-template').content.cloneNode(true);
  const row = $<HTMLElement>('.alert', fragment as DocumentFragment);
  row.dataset.id = alert.id;
  row.dataset.level = alert.level;
  $<HTMLElement>('.level', row).textContent = alert.level;
  $<HTMLElement>('.text', row).textContent = alert.message;
  const time = $<HTMLTimeElement>('time', row);
  time.dateTime = alert.timestamp;
  time.textContent = new Date(alert.timestamp).toLocaleString();
  if (atTop) alertsEl.prepend(row);
  else alertsEl.append(row);
  while (alertsEl.children.length > MAX_ALERTS) alertsEl.lastElementChild?.remove();
  $<HTMLElement>('#no-alerts').hidden = true;
}

let mayRestart = false;
const servicesEl = $<HTMLUListElement>('#services');

function serviceRow(name: string): HTMLElement {
  const found = servicesEl.querySelector<HTMLElement>(`.service[data-name="${CSS.escape(name)}"]`);
  if (found) return found;
  const fragment = $<HTMLTemplateElement>('#service-template').content.cloneNode(true);
  const row = $<HTMLElement>('.service', fragment as DocumentFragment);
  row.dataset.name = name;
  $<HTMLElement>('.name', row).textContent = name;
  const button = $<HTMLButtonElement>('.restart', row);
  button.hidden = !mayRestart;
  button.addEventListener('click', () => {
    button.disabled = true;
    api(`/api/v1/services/${encodeURIComponent(name)}/restart`, { method: 'POST' })
      .then(() => {
        message.hidden = true;
      }, show)
      .finally(() => {
        button.disabled = false;
      });
  });
  servicesEl.append(row);
  $<HTMLElement>('#no-services').hidden = true;
  return row;
}

function setService(service: Service): void {
  const row = serviceRow(service.name);
  row.dataset.status = service.status;
  $<HTMLElement>('.status', row).textContent = service.status;
}

// ---- Socket ----------------------------------------------------------------------------------

let attempt = 0;
function connect(): void {
  const url = new URL('/monitoring', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token !== undefined) url.searchParams.set('token', token);
  setConnection(attempt === 0 ? 'connecting' : 'reconnecting');
  const ws = new WebSocket(url);
  ws.addEventListener('open', () => {
    attempt = 0;
    setConnection('open');
  });
  ws.addEventListener('message', (event) => {
    let parsed: { type?: string; data?: unknown };
    try {
      parsed = JSON.parse(String(event.data)) as typeof parsed;
    } catch {
      return;
    }
    if (parsed.type === 'metrics') renderFigures(parsed.data as Metrics);
    else if (parsed.type === 'alert') addAlert(parsed.data as Alert, true);
    else if (parsed.type === 'status') setService(parsed.data as Service);
  });
  ws.addEventListener('close', (event) => {
    // CloseCodes.UNAUTHORIZED / FORBIDDEN (sdk protocol/close-codes.ts): retrying cannot help.
    if (event.code === 4001 || event.code === 4003) {
      setConnection('closed');
      return;
    }
    attempt += 1;
    setConnection(navigator.onLine ? 'reconnecting' : 'offline');
    // Full-jitter backoff, 0.5 s doubling up to 30 s.
    setTimeout(connect, Math.random() * Math.min(30_000, 500 * 2 ** attempt));
  });
}

// ---- Start -----------------------------------------------------------------------------------

async function start(): Promise<void> {
  try {
    const me = await api<{ role?: string }>('/api/v1/auth/me/');
    mayRestart = me.role === 'operator' || me.role === 'admin';
    const [current, alerts, services, status] = await Promise.all([
      api<{ metrics: Metrics }>('/api/v1/metrics/current'),
      api<{ alerts: Alert[] }>(`/api/v1/alerts?limit=${MAX_ALERTS}`),
      api<{ services: Service[] }>('/api/v1/services'),
      api<{ status: string; uptime: string }>('/api/v1/status'),
    ]);
    renderFigures(current.metrics);
    for (const alert of alerts.alerts) addAlert(alert, false);
    for (const service of services.services) setService(service);
    const hostState = $<HTMLElement>('#host-state');
    hostState.dataset.state = status.status;
    hostState.textContent = `${status.status} · up ${status.uptime}`;
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) {
      signin.show();
      setConnection('closed');
      return;
    }
    show(error);
    return;
  }
  await loadHistory();
  connect();
}

const signin = signInForm(start, show);

void start();
