/**
 * panel-page: a Now Playing panel as a single HTML page. This script is bundled for the browser
 * (see README.md) and loaded by index.html; it connects to a Marquee server with the SDK's panel
 * client and shows each session with its progress, the connection state and the server's CPU and
 * memory.
 *
 * The server is the page's `?server=` query parameter, or the page's own origin when the page is
 * served by the Marquee server. `?token=` is a display token, for servers whose channel needs one
 * (in a page served by Marquee, the session cookie is sent instead).
 */
import { createPanelClient, type Snapshot } from '@marquee/sdk';

type Session = Snapshot['sessions'][number];

const query = new URLSearchParams(location.search);
const baseUrl = query.get('server') ?? location.origin;
const token = query.get('token');

const status = element('status');
const list = element('sessions');
const system = element('system');

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`index.html has no #${id}`);
  return found;
}

/** `1:02:03` or `2:03`. */
function clock(seconds: number): string {
  const s = Math.floor(seconds % 60);
  const m = Math.floor(seconds / 60) % 60;
  const h = Math.floor(seconds / 3600);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

function sessionItem(session: Session): HTMLLIElement {
  const item = document.createElement('li');
  const line = document.createElement('div');
  // textContent, never innerHTML: titles and names come from media servers.
  line.textContent = `${session.username}: ${session.title} (${session.state}) ${clock(session.current_time)} / ${clock(session.duration)}`;
  const bar = document.createElement('progress');
  bar.max = 100;
  bar.value = session.progress_percent;
  bar.setAttribute('aria-label', `${session.title} progress`);
  item.append(line, bar);
  return item;
}

function render(snapshot: Snapshot): void {
  list.replaceChildren(...snapshot.sessions.map(sessionItem));
  if (snapshot.sessions.length === 0) {
    const empty = document.createElement('li');
    empty.textContent = 'Nothing playing';
    list.append(empty);
  }
  const { cpu_percent, ram_percent } = snapshot.system;
  system.textContent = `CPU ${cpu_percent.toFixed(1)}% · RAM ${ram_percent.toFixed(1)}%`;
}

const client = createPanelClient({ baseUrl, ...(token ? { token: () => token } : {}) });
client.socket.on('state', ({ state }) => {
  status.textContent = `${state} · ${baseUrl}`;
  document.body.dataset.state = state;
});
client.on('snapshot', render);
client.connect();
