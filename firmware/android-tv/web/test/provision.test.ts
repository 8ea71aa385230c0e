import { describe, expect, it } from 'vitest';
import {
  STORAGE_KEY,
  forgetProvisioning,
  readProvisioning,
  type KeyValueStore,
} from '../src/provision';

function memory(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

describe('readProvisioning', () => {
  it('keeps kiosk query credentials and hands back the URL without them', () => {
    const store = memory();
    const read = readProvisioning(
      'http://tv.local:8000/tv/?server=http://marquee:8000/&username=tv1&password=s%20cret&sn_number=SN-9&mode=x',
      store,
    );
    expect(read).toEqual({
      provisioning: {
        server: 'http://marquee:8000',
        username: 'tv1',
        password: 's cret',
        snNumber: 'SN-9',
      },
      cleanedUrl: 'http://tv.local:8000/tv/?mode=x',
    });
    // Kept: the next start, with a clean URL, signs in the same way.
    expect(readProvisioning('http://tv.local:8000/tv/', store)).toEqual({
      provisioning: read.provisioning,
      cleanedUrl: undefined,
    });
  });

  it('defaults the server to the page origin and refuses a non-http one', () => {
    const store = memory();
    expect(
      readProvisioning('http://m:1/tv/?username=a&password=b&sn_number=S', store).provisioning
        ?.server,
    ).toBe('http://m:1');
    const bad = readProvisioning(
      'http://m:1/tv/?server=javascript:alert(1)&username=a&password=b&sn_number=T',
      store,
    );
    // Secrets leave the URL anyway; what was stored before stays.
    expect(bad.cleanedUrl).toBe('http://m:1/tv/');
    expect(bad.provisioning?.snNumber).toBe('S');
  });

  it('pairs (nothing) when nothing is given or stored, or what is stored is unreadable', () => {
    const store = memory();
    expect(readProvisioning('http://m/tv/', store).provisioning).toBeUndefined();
    store.setItem(STORAGE_KEY, '{not json');
    expect(readProvisioning('http://m/tv/', store).provisioning).toBeUndefined();
    store.setItem(
      STORAGE_KEY,
      JSON.stringify({ server: 'http://m', username: 'u', password: 'p', snNumber: 'S' }),
    );
    expect(readProvisioning('http://m/tv/', store).provisioning?.username).toBe('u');
    forgetProvisioning(store);
    expect(store.data.size).toBe(0);
  });

  it('keeps a screenshot interval given in the kiosk query, within its bounds only', () => {
    const store = memory();
    const start = (every: string) =>
      readProvisioning(
        `http://tv.local/tv/?username=tv1&password=p&sn_number=SN-1&screenshot_every=${every}`,
        store,
      );
    const read = start('300');
    expect(read.provisioning?.screenshotEverySeconds).toBe(300);
    expect(read.cleanedUrl).toBe('http://tv.local/tv/');
    expect(readProvisioning('http://tv.local/tv/', store).provisioning).toMatchObject({
      snNumber: 'SN-1',
      screenshotEverySeconds: 300,
    });
    for (const bad of ['4', '86401', '1.5', '-10', 'soon']) {
      const again = start(bad);
      expect(again.provisioning?.snNumber).toBe('SN-1');
      expect(again.provisioning).not.toHaveProperty('screenshotEverySeconds');
    }
    store.setItem(
      STORAGE_KEY,
      JSON.stringify({
        server: 'http://m',
        username: 'u',
        password: 'p',
        snNumber: 'S',
        screenshotEverySeconds: 2,
      }),
    );
    expect(readProvisioning('http://tv.local/tv/', store).provisioning).toEqual({
      server: 'http://m',
      username: 'u',
      password: 'p',
      snNumber: 'S',
    });
  });
});
