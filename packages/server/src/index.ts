/** @marquee/server — Fastify server for every Marquee surface, on embedded SQLite by default. */
export { createServer, type CreateServerOptions, type MarqueeServer } from './app';
export {
  ConfigError,
  ConfigSchema,
  ENV_NAMES,
  loadConfig,
  type Config,
  type ConfigInput,
  type LoadConfigOptions,
} from './core/config';
export {
  createDefaultSource,
  createSystemInformationSource,
  createSystemSampler,
} from './core/sampler';
export type { SystemReading, SystemSampler, SystemSource } from './core/sampler';
export { VERSION } from './version';
