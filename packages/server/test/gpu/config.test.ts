/** The GPU host's settings (seed 004's names where it has them), from the environment and `.env`. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'marquee-gpu-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const load = (env: Record<string, string>) => loadConfig({ env, cwd: dir });

describe('GPU settings', () => {
  it('has the documented defaults', () => {
    expect(load({})).toMatchObject({
      nvidiaSmiPath: 'nvidia-smi',
      nvidiaSmiTimeoutMs: 5000,
      gpuSampleIntervalMs: 2000,
      ollamaHost: 'http://localhost:11434',
      ollamaTimeoutSeconds: 120,
      proxyAuthEnabled: false,
      maxProxyRequestSize: 104_857_600,
      proxyTimeoutSeconds: 30,
    });
    expect(load({}).ollamaKeepAlive).toBeUndefined();
    expect(load({}).proxyAuthToken).toBeUndefined();
  });

  it('reads seed 004’s proxy variables from a .env file', () => {
    writeFileSync(
      join(dir, '.env'),
      [
        'PROXY_AUTH_ENABLED=true',
        'PROXY_AUTH_TOKEN=your_proxy_token',
        'MAX_PROXY_REQUEST_SIZE=1048576',
        'PROXY_TIMEOUT_SECONDS=5',
        'NVIDIA_SMI_PATH=/usr/local/bin/nvidia-smi',
      ].join('\n'),
    );
    expect(load({})).toMatchObject({
      proxyAuthEnabled: true,
      proxyAuthToken: 'your_proxy_token',
      maxProxyRequestSize: 1_048_576,
      proxyTimeoutSeconds: 5,
      nvidiaSmiPath: '/usr/local/bin/nvidia-smi',
    });
  });

  it('reads OLLAMA_HOST as Ollama does: scheme and port 11434 optional', () => {
    expect(load({ OLLAMA_HOST: 'gpu-box' }).ollamaHost).toBe('http://gpu-box:11434');
    expect(load({ OLLAMA_HOST: '0.0.0.0:11434' }).ollamaHost).toBe('http://0.0.0.0:11434');
    expect(load({ OLLAMA_HOST: 'https://llm.example.com/ollama/' }).ollamaHost).toBe(
      'https://llm.example.com/ollama',
    );
    expect(() => load({ OLLAMA_HOST: 'ftp://x' })).toThrow(/OLLAMA_HOST: not an http\(s\) address/);
  });

  it('reads the keep_alive default as a duration or seconds', () => {
    expect(load({ MARQUEE_OLLAMA_KEEP_ALIVE: '30m' }).ollamaKeepAlive).toBe('30m');
    expect(load({ MARQUEE_OLLAMA_KEEP_ALIVE: '-1' }).ollamaKeepAlive).toBe(-1);
    expect(() => load({ MARQUEE_OLLAMA_KEEP_ALIVE: 'forever' })).toThrow(ConfigError);
  });

  it('refuses to start a guarded proxy without its token', () => {
    expect(() => load({ PROXY_AUTH_ENABLED: 'true' })).toThrow(
      /PROXY_AUTH_TOKEN: required when PROXY_AUTH_ENABLED is true/,
    );
  });
});
