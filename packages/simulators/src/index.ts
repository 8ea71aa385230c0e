/**
 * @marquee/simulators — scriptable fakes of the devices and upstreams around Marquee, for tests
 * and load runs. Today: the ESP32 Now Playing panel (`PanelSimulator`, on a real socket with the
 * firmware's limits), the signage TV (`TvSimulator`, the SDK's device client behind a faulty link
 * and disk, with a playback timeline and proof of play) and the GPU host (a fake `nvidia-smi`
 * executable driven by a scenario file, and a fake Ollama HTTP server).
 */
export { fakeNvidiaSmiPath, marqueeSimPath } from './paths';
export { NVIDIA_SMI_PATH_ENV, SCENARIO_ENV } from './gpu/env';
export {
  FakeGpuHost,
  type FakeGpuHostOptions,
  type GpuMetricField,
  type NvidiaSmiInvocation,
} from './gpu/fake-gpu-host';
export { NvidiaSmiExitCodes } from './gpu/failures';
export { linkOllamaToGpu, type LinkOllamaOptions } from './gpu/link-ollama';
export {
  GpuFailure,
  GpuProcessSpec,
  GpuReading,
  GpuScenario,
  GpuSpec,
  MAX_GPUS,
  UnavailableReading,
  defaultGpuScenario,
  fakeGpu,
  fakeGpuUuid,
  readGpuScenario,
  writeGpuScenario,
  type GpuScenarioInput,
  type GpuSpecInput,
} from './gpu/scenario';
export {
  FakeOllama,
  createFakeOllama,
  type FakeOllamaOptions,
  type ReceivedRequest,
  type RequestHook,
  type ScriptedResponse,
} from './ollama/fake-ollama';
export type { FakeOllamaEvent } from './ollama/model-store';
export {
  DEFAULT_INSTALLED_MODELS,
  DEFAULT_REGISTRY_MODELS,
  type FakeOllamaModel,
  type OllamaModelDetails,
  type OllamaPsEntry,
  type OllamaTagsEntry,
} from './ollama/models';
export { DEFAULT_PULL_ERROR, UNKNOWN_MODEL_PULL_ERROR, type PullProgress } from './ollama/pull';
export {
  FAKE_CREDENTIALS,
  FAKE_JELLYFIN_API_KEY,
  mediaStackFixtures,
  startFakeJellyfin,
  startFakeMediaStack,
  type FakeJellyfin,
  type FakeMediaStack,
  type FakeMediaStackOptions,
  type FakeMode,
  type FakeUpstream,
} from './media-stack';
export { describeCommand, type CommandOutcome, type PanelAction } from './panel/commands';
export {
  FrameErrors,
  parsePanelFrame,
  type FrameErrorCode,
  type FrameResult,
  type PanelFrame,
  type PanelSession,
  type PanelSessionState,
  type PanelSystem,
} from './panel/frame';
export { PANEL_LIMITS, PanelLimits } from './panel/limits';
export {
  PanelSimulator,
  type PanelCommand,
  type PanelSimulatorOptions,
  type PanelStats,
  type ReceivedFrame,
} from './panel/panel-simulator';
export {
  PANEL_PAGES,
  type PanelCloseReason,
  type PanelConnectionState,
  type PanelPage,
  type PanelProgress,
} from './panel/screen';
export type { LinkRequest } from './tv/link';
export type { TextOverlay } from './tv/player';
export { assignPlaylist, createDemoPlaylist } from './tv/provision';
export type { NowPlaying, ProofOfPlay } from './tv/timeline';
export type {
  TvClientOptions,
  TvCommand,
  TvCommandHook,
  TvCommandVerdict,
  TvReceived,
  TvSent,
  TvSimulatorOptions,
  TvStats,
} from './tv/options';
export { TvSimulator } from './tv/tv-simulator';
export {
  FakeDockerEngine,
  startFakeDockerEngine,
  type FakeContainer,
  type FakeContainerHealth,
  type FakeContainerSpec,
  type FakeContainerState,
  type FakeDockerEngineOptions,
  type FakeDockerRequest,
  type FakeLogLine,
} from './docker/fake-docker-engine';
