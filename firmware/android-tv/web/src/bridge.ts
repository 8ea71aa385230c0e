/**
 * The native bridge: what the Android shell adds to the WebView (`addJavascriptInterface`, as
 * `window.MarqueeAndroid`) for what a page cannot do itself. In a plain browser there is none and
 * the no-op bridge answers: brightness is then reported unsupported (the command is refused with
 * that reason), volume applies to the page's own media only, facts come from the browser.
 *
 * The shell's object has string/number methods only (what `@JavascriptInterface` can pass):
 *   setBrightness(level: number): boolean   0–100; false when the device refused
 *   setVolume(level: number): boolean       0–100, the system media volume
 *   deviceInfo(): string                     JSON: brand, model, manufacturer, os_version,
 *                                            total_storage, free_storage, mac_address
 *   reload(): void                           restarts the WebView (the shell's watchdog too)
 */

export interface DeviceFacts {
  readonly brand: string;
  readonly model: string;
  readonly manufacturer: string;
  readonly os_version: string;
  readonly total_storage: string;
  readonly free_storage: string;
  readonly mac_address?: string;
}

export interface Bridge {
  /** `android` when the shell's object is there, `none` in a plain browser. */
  readonly kind: 'android' | 'none';
  readonly canSetBrightness: boolean;
  setBrightness(level: number): boolean;
  /** The system volume; false when there is no bridge (the page's media volume still applies). */
  setVolume(level: number): boolean;
  deviceInfo(): Partial<DeviceFacts>;
}

interface AndroidBridge {
  setBrightness?(level: number): boolean;
  setVolume?(level: number): boolean;
  deviceInfo?(): string;
}

export const noBridge: Bridge = {
  kind: 'none',
  canSetBrightness: false,
  setBrightness: () => false,
  setVolume: () => false,
  deviceInfo: () => ({}),
};

/** The shell's bridge when the page runs in it, else the no-op one. */
export function detectBridge(scope: object): Bridge {
  const native: unknown = Reflect.get(scope, 'MarqueeAndroid');
  if (typeof native !== 'object' || native === null) return noBridge;
  const android = native as AndroidBridge;
  return {
    kind: 'android',
    canSetBrightness: typeof android.setBrightness === 'function',
    setBrightness: (level) => android.setBrightness?.(level) ?? false,
    setVolume: (level) => android.setVolume?.(level) ?? false,
    deviceInfo: () => {
      try {
        const parsed: unknown = JSON.parse(android.deviceInfo?.() ?? '{}');
        return typeof parsed === 'object' && parsed !== null ? parsed : {};
      } catch {
        return {};
      }
    },
  };
}
