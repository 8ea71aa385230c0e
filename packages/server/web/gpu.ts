/**
 * The GPU host page (`/gpu`), built on the SDK's GPU client: VRAM per GPU with its compute
 * processes, the models Ollama holds in memory and how much VRAM each takes (with an unload
 * button), and downloads with their progress. Live through `/api/gpu/ws`.
 *
 * Credentials: `#token=` in the URL fragment (a display token for a read-only wall panel; a legacy
 * `?token=` is moved there, see `displayToken`) or the session cookie; a 401 shows a sign-in form
 * that sets the cookie. The loaded-model list is fetched again when the
 * GPU processes change (a model loaded or unloaded, by anyone), not on every update, so any
 * number of open pages do not poll Ollama.
 */
import './zod-jitless';
import { MarqueeError, createGpuClient, type VramStatus, type protocol } from '@marquee/sdk';
import { bytes, metric, mib } from './gpu-format';
import { $, connectionIndicator, displayToken } from './page';
import { signInForm } from './signin';

type Device = protocol.gpu.GpuDevice;
type Progress = protocol.gpu.ModelDownloadProgress;

const urlToken = displayToken();
const client = createGpuClient({
  baseUrl: location.origin,
  ...(urlToken === undefined ? {} : { token: () => urlToken }),
});

const message = $<HTMLElement>('#message');
const gpuState = $<HTMLElement>('#gpu-state');
const gpusEl = $<HTMLElement>('#gpus');
const modelsEl = $<HTMLElement>('#models');
const downloadsEl = $<HTMLElement>('#downloads');
const gpuCards = new Map<string, HTMLElement>();
let processKey: string | undefined;

function show(error: unknown): void {
  message.hidden = false;
  message.textContent = error instanceof Error ? error.message : String(error);
}

const setConnection = connectionIndicator({ closed: 'Signed out' });

function renderGpu(device: Device, processes: VramStatus['processes']): HTMLElement {
  let card = gpuCards.get(device.uuid);
  if (!card) {
    const fragment = $<HTMLTemplateElement>('#gpu-template').content.cloneNode(true);
    card = $<HTMLElement>('.gpu', fragment as DocumentFragment);
    card.dataset.uuid = device.uuid;
    gpuCards.set(device.uuid, card);
  }
  const used = device.used_mb;
  const total = device.total_mb;
  const percent = used !== null && total ? Math.min(100, (used / total) * 100) : 0;
  $<HTMLElement>('.name', card).textContent = `GPU ${device.index} · ${device.name}`;
  $<HTMLElement>('.vram', card).setAttribute('aria-valuenow', percent.toFixed(1));
  $<HTMLElement>('.vram .fill', card).style.width = `${percent}%`;
  $<HTMLElement>('.memory', card).textContent = `${mib(used)} / ${mib(total)} used`;
  const stat = (name: string, text: string) => {
    $<HTMLElement>(`[data-stat="${name}"]`, card).textContent = text;
  };
  stat('utilization', metric(device.utilization, '%', device.unavailable.utilization));
  stat('temperature', metric(device.temperature_c, '°C', device.unavailable.temperature_c));
  stat('power', metric(device.power_draw_w, 'W', device.unavailable.power_draw_w));
  const list = $<HTMLElement>('.processes', card);
  list.replaceChildren(
    ...processes
      .filter((p) => p.gpu_uuid === device.uuid)
      .map((p) => {
        const item = document.createElement('li');
        item.className = 'process';
        item.textContent = `${p.process_name} (pid ${p.pid}): ${mib(p.used_memory_mb)}`;
        return item;
      }),
  );
  return card;
}

function renderStatus(status: VramStatus): void {
  const ok = status.state === undefined || status.state === 'ok';
  gpuState.hidden = ok && status.error === undefined;
  gpuState.dataset.state = status.state ?? 'ok';
  gpuState.textContent = status.error ?? '';
  const devices = status.gpus ?? [];
  const seen = new Set(devices.map((d) => d.uuid));
  gpusEl.replaceChildren(...devices.map((d) => renderGpu(d, status.processes)));
  for (const uuid of gpuCards.keys()) if (!seen.has(uuid)) gpuCards.delete(uuid);
  const key = status.processes.map((p) => `${p.pid}:${p.used_memory_mb}`).join(',');
  if (key !== processKey) {
    processKey = key;
    void refreshLoaded();
  }
}

async function refreshLoaded(): Promise<void> {
  try {
    const loaded = await client.loadedModels();
    $<HTMLElement>('#no-models').hidden = loaded.count > 0;
    modelsEl.replaceChildren(
      ...loaded.models.map((model) => {
        const fragment = $<HTMLTemplateElement>('#model-template').content.cloneNode(true);
        const row = $<HTMLElement>('.model', fragment as DocumentFragment);
        row.dataset.name = model.name;
        $<HTMLElement>('.name', row).textContent = model.name;
        $<HTMLElement>('.holds', row).textContent =
          model.size_vram === undefined ? model.size : `${bytes(model.size_vram)} VRAM`;
        $<HTMLElement>('.processor', row).textContent = model.processor;
        $<HTMLButtonElement>('.unload', row).addEventListener(
          'click',
          () => void unload(model.name),
        );
        return row;
      }),
    );
  } catch (error) {
    show(error);
  }
}

async function unload(name: string): Promise<void> {
  try {
    await client.unloadModel(name);
    message.hidden = true;
  } catch (error) {
    show(error);
  }
  await refreshLoaded();
}

function renderProgress(progress: Progress): void {
  let row = downloadsEl.querySelector<HTMLElement>(
    `.download[data-model="${CSS.escape(progress.model_name)}"]`,
  );
  if (!row) {
    const fragment = $<HTMLTemplateElement>('#download-template').content.cloneNode(true);
    row = $<HTMLElement>('.download', fragment as DocumentFragment);
    row.dataset.model = progress.model_name;
    $<HTMLElement>('.name', row).textContent = progress.model_name;
    downloadsEl.prepend(row);
  }
  row.dataset.status = progress.status;
  $<HTMLElement>('.bar-track', row).setAttribute('aria-valuenow', String(progress.progress));
  $<HTMLElement>('.fill', row).style.width = `${progress.progress}%`;
  const detail =
    progress.status === 'error'
      ? (progress.error ?? 'failed')
      : progress.status === 'complete'
        ? 'complete'
        : `${progress.progress.toFixed(1)} % · ${progress.detail ?? 'downloading'}`;
  $<HTMLElement>('.status', row).textContent = detail;
}

$<HTMLFormElement>('#download-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('input[name="model"]', event.currentTarget as HTMLFormElement);
  const name = input.value.trim();
  if (name === '') return;
  client.downloadModel(name).then(() => {
    message.hidden = true;
    input.value = '';
  }, show);
});

client.on('state', ({ state }) => setConnection(state));
client.on('vram_update', renderStatus);
client.on('model_download_progress', renderProgress);

async function start(): Promise<void> {
  try {
    renderStatus(await client.vramStatus());
  } catch (error) {
    if (error instanceof MarqueeError && error.status === 401) {
      signin.show();
      setConnection('closed');
      return;
    }
    show(error);
  }
  client.connect();
}

const signin = signInForm(start, show);

void start();
