import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod/mini';
import {
  AckMessage,
  AuthModel,
  ClientMessage,
  DeviceModel,
  DeviceScreens,
  LoginBody,
  MediaItemModel,
  MediaPathParams,
  PlayMediaAction,
  PlaylistStatusMessage,
  ReadyPlaylistsMessage,
  RefreshBody,
  RegisterDeviceResponse,
  ScreenshotFields,
  ScreenshotFormFields,
  ScreenshotResponse,
  ServerAction,
  ServerMessage,
  ShowTextOverlayAction,
  SignageError,
  SwitchPlaylistAction,
  TextOverlay,
  signageErrorShape,
  signageSurface,
  type DeviceModelInput,
  type MediaType,
  type PlaylistStatusValue,
  type ScreenConfig,
  type ServerActionName,
} from '../../src/protocol/signage';
import { surfaces } from '../../src/protocol/surfaces';
import { extractSeedExamples, readSeed } from '../helpers/seed-examples';
import { expectIssueAt, testSeedExamples } from '../helpers/schema-assertions';

const examples = extractSeedExamples(readSeed('signage'));
const example = <T>(i: number): T => structuredClone(examples[i]?.value) as T;

describe('seed 002 examples', () => {
  // Each JSON example of the document, in document order, with the schema it documents.
  const schemas: Array<[string, z.core.$ZodType]> = [
    ['quick reference: ready_playlists', ClientMessage],
    ['quick reference: status ready', ClientMessage],
    ['quick reference: status downloading', ClientMessage],
    ['quick reference: status partial', ClientMessage],
    ['quick reference: status failed', ClientMessage],
    ['quick reference: play', ServerAction],
    ['quick reference: pause', ServerAction],
    ['quick reference: next', ServerAction],
    ['quick reference: previous', ServerAction],
    ['quick reference: reload_playlist', ServerAction],
    ['quick reference: switch_playlist', ServerAction],
    ['quick reference: set_brightness', ServerAction],
    ['quick reference: set_volume', ServerAction],
    ['login body', LoginBody],
    ['login response', AuthModel],
    ['refresh body', RefreshBody],
    ['refresh response', AuthModel],
    ['register body', DeviceModel],
    ['register response', RegisterDeviceResponse],
    ['playlists response', DeviceScreens],
    ['screenshot response', ScreenshotResponse],
    ['play', ServerAction],
    ['pause', ServerAction],
    ['next', ServerAction],
    ['previous', ServerAction],
    ['reload_playlist', ServerAction],
    ['switch_playlist', SwitchPlaylistAction],
    ['play_media', PlayMediaAction],
    ['show_text_overlay', ShowTextOverlayAction],
    ['hide_text_overlay', ServerAction],
    ['set_brightness', ServerAction],
    ['set_volume', ServerAction],
    ['ready_playlists', ReadyPlaylistsMessage],
    ['ready flow: reload_playlist command', ServerMessage],
    ['ready flow: ready_playlists reply', ClientMessage],
    ['status ready', PlaylistStatusMessage],
    ['status downloading', PlaylistStatusMessage],
    ['status partial', PlaylistStatusMessage],
    ['status failed', PlaylistStatusMessage],
    ['partial flow 1: start', ClientMessage],
    ['partial flow 2: first item', ClientMessage],
    ['partial flow 3: second item', ClientMessage],
    ['partial flow 4: third item failed', ClientMessage],
    ['partial flow 5: fourth and fifth', ClientMessage],
    ['partial flow 6: partial', ClientMessage],
    ['success flow 1: start', ClientMessage],
    ['success flow 2: progress', ClientMessage],
    ['success flow 2: progress', ClientMessage],
    ['success flow 3: ready', ClientMessage],
    ['standard error response', SignageError],
    ['token expired error', SignageError],
    ['invalid credentials error', SignageError],
    ['network error (status_code null)', SignageError],
    ['download failure (status_code null)', SignageError],
  ];

  it('finds all 54 examples of the document', () => {
    expect(examples).toHaveLength(54);
  });

  testSeedExamples(examples, schemas);

  it('parses every WebSocket example with the channel schemas', () => {
    const channel = signageSurface.channels[0];
    for (const { value } of examples) {
      if (typeof value !== 'object' || value === null) continue;
      if ('action' in value) expect(channel.serverMessages.safeParse(value).success).toBe(true);
      if ('type' in value) expect(channel.clientMessages.safeParse(value).success).toBe(true);
    }
  });
});

describe('invalid variants', () => {
  type Screens = z.input<typeof DeviceScreens>;
  const register = example<Record<string, unknown>>(17);
  const screens = example<Screens>(19);
  const item = (patch: Record<string, unknown>) => {
    const copy = structuredClone(screens);
    Object.assign(copy.front_screen!.playlists[0]!.media_items[0]!, patch);
    return copy;
  };
  const itemPath = (field: string) => ['front_screen', 'playlists', 0, 'media_items', 0, field];

  it('rejects brightness and volume outside 0–100 or not whole', () => {
    expectIssueAt(DeviceModel, { ...register, brightness: 101 }, ['brightness']);
    expectIssueAt(DeviceModel, { ...register, volume: -1 }, ['volume']);
    expectIssueAt(DeviceModel, { ...register, brightness: 50.5 }, ['brightness']);
    expectIssueAt(DeviceModel, { ...register, volume: '60' }, ['volume']);
    expectIssueAt(ServerAction, { action: 'set_brightness', brightness: 101 }, ['brightness']);
    expectIssueAt(ServerAction, { action: 'set_volume', volume: -1 }, ['volume']);
  });

  it('rejects a register body without a required field', () => {
    for (const field of ['sn_number', 'model', 'app_version', 'free_storage']) {
      const { [field]: _dropped, ...rest } = register;
      expectIssueAt(DeviceModel, rest, [field]);
    }
    expectIssueAt(DeviceModel, { ...register, sn_number: '' }, ['sn_number']);
    expectIssueAt(DeviceModel, { ...register, brand: 42 }, ['brand']);
  });

  it('applies the default 50 to a missing brightness and volume; MAC and IP are optional', () => {
    const { brightness: _b, volume: _v, mac_address: _m, ip_address: _i, ...minimal } = register;
    const parsed = DeviceModel.parse(minimal);
    expect(parsed.brightness).toBe(50);
    expect(parsed.volume).toBe(50);
    expect(parsed.mac_address).toBeUndefined();
  });

  it('rejects unknown actions, types and statuses at the discriminator', () => {
    expectIssueAt(ServerAction, { action: 'explode' }, ['action']);
    expectIssueAt(ClientMessage, { type: 'hello' }, ['type']);
    expectIssueAt(
      ClientMessage,
      { type: 'playlist_status', playlist_id: 101, status: 'done', total_items: 1 },
      ['status'],
    );
  });

  it('enforces the per-status required fields', () => {
    const downloading = example<Record<string, unknown>>(36);
    const { total_items: _t, ...noTotal } = downloading;
    expectIssueAt(ClientMessage, noTotal, ['total_items']);
    expectIssueAt(PlaylistStatusMessage, noTotal, ['total_items']);
    const { downloaded_items: _d, ...noDownloaded } = downloading;
    expectIssueAt(ClientMessage, noDownloaded, ['downloaded_items']);

    const partial = example<Record<string, unknown>>(37);
    const { missing_files: _m, ...noMissing } = partial;
    expectIssueAt(ClientMessage, noMissing, ['missing_files']);
    const { total_items: _pt, ...partialNoTotal } = partial;
    expectIssueAt(ClientMessage, partialNoTotal, ['total_items']);

    const base = { type: 'playlist_status', playlist_id: 101 };
    expect(ClientMessage.safeParse({ ...base, status: 'ready' }).success).toBe(true);
    expect(ClientMessage.safeParse({ ...base, status: 'failed' }).success).toBe(true);
    // A long error (a stack trace) is kept to 2000 characters, not a reason to lose the report.
    const long = ClientMessage.parse({ ...base, status: 'failed', error: 'e'.repeat(5000) });
    expect(long.type === 'playlist_status' && long.status === 'failed' && long.error).toBe(
      'e'.repeat(2000),
    );
    expectIssueAt(ClientMessage, { ...base, status: 'ready', total_items: -1 }, ['total_items']);
    expectIssueAt(ClientMessage, { type: 'playlist_status', status: 'ready' }, ['playlist_id']);
  });

  it('validates ready_playlists ids and acks', () => {
    expect(ClientMessage.safeParse({ type: 'ready_playlists', playlist_ids: [] }).success).toBe(
      true,
    );
    expectIssueAt(ClientMessage, { type: 'ready_playlists', playlist_ids: ['101'] }, [
      'playlist_ids',
      0,
    ]);
    expect(
      AckMessage.safeParse({ type: 'ack', command_id: 'c1', ok: false, error: 'x' }).success,
    ).toBe(true);
    expectIssueAt(ClientMessage, { type: 'ack', ok: true }, ['command_id']);
    expectIssueAt(ClientMessage, { type: 'ack', command_id: 'c1', ok: 'yes' }, ['ok']);
  });

  it('requires the fields each action documents as required', () => {
    expectIssueAt(ServerAction, { action: 'switch_playlist' }, ['playlist_id']);
    expectIssueAt(ServerAction, { action: 'switch_playlist', playlist_id: '102' }, ['playlist_id']);
    expectIssueAt(ServerAction, { action: 'set_brightness' }, ['brightness']);
    const overlay = example<{ text_overlay: Record<string, unknown> }>(28);
    const { text: _text, ...noText } = overlay.text_overlay;
    expectIssueAt(ServerAction, { action: 'show_text_overlay', text_overlay: noText }, [
      'text_overlay',
      'text',
    ]);
    expectIssueAt(ServerAction, { action: 'show_text_overlay' }, ['text_overlay']);
    expectIssueAt(
      ServerAction,
      { ...overlay, text_overlay: { ...overlay.text_overlay, position: 'middle' } },
      ['text_overlay', 'position'],
    );
    expectIssueAt(
      ServerAction,
      { ...overlay, text_overlay: { ...overlay.text_overlay, text_color: 'white' } },
      ['text_overlay', 'text_color'],
    );
    expectIssueAt(ServerAction, { action: 'play_media', media_index: -1 }, ['media_index']);
  });

  it('accepts play_media with either field and fills overlay defaults', () => {
    expect(ServerAction.safeParse({ action: 'play_media', media_index: 0 }).success).toBe(true);
    expect(TextOverlay.parse({ text: 'Hi' })).toEqual({
      text: 'Hi',
      position: 'bottom',
      animation: 'scroll',
      speed: 50,
    });
  });

  it('accepts Marquee command_id on every action and the error message from the server', () => {
    const names: ServerActionName[] = [
      'play',
      'pause',
      'next',
      'previous',
      'reload_playlist',
      'hide_text_overlay',
    ];
    for (const action of names) {
      expect(ServerAction.parse({ action, command_id: 'cmd-1' })).toEqual({
        action,
        command_id: 'cmd-1',
      });
    }
    expect(
      ServerMessage.safeParse({ type: 'error', message: 'Unknown type', code: 'BAD_MESSAGE' })
        .success,
    ).toBe(true);
    expectIssueAt(ServerAction, { action: 'play', command_id: 7 }, ['command_id']);
  });

  it('rejects bad media items at their path', () => {
    expectIssueAt(DeviceScreens, item({ media_type: 'audio' }), itemPath('media_type'));
    expectIssueAt(DeviceScreens, item({ file_size: -1 }), itemPath('file_size'));
    expectIssueAt(DeviceScreens, item({ media_id: '1001' }), itemPath('media_id'));
    expectIssueAt(DeviceScreens, item({ checksum: 'not-md5' }), itemPath('checksum'));
    expectIssueAt(DeviceScreens, item({ layout: { x: 0, y: 0, width: 1, height: 1 } }), [
      ...itemPath('layout'),
      'z_index',
    ]);
  });

  it('checks playback config, status and screens', () => {
    const playlistPath = ['front_screen', 'playlists', 0];
    const withPlaylist = (patch: Record<string, unknown>) => {
      const copy = structuredClone(screens);
      Object.assign(copy.front_screen!.playlists[0]!, patch);
      return copy;
    };
    const playlist = screens.front_screen!.playlists[0]!;
    expectIssueAt(
      DeviceScreens,
      withPlaylist({ playback_config: { ...playlist.playback_config, repeat_count: -2 } }),
      [...playlistPath, 'playback_config', 'repeat_count'],
    );
    expectIssueAt(
      DeviceScreens,
      withPlaylist({ status: { ...playlist.status, last_verified: 'yesterday' } }),
      [...playlistPath, 'status', 'last_verified'],
    );
    const { back_screen: _back, ...noBack } = screens;
    expectIssueAt(DeviceScreens, noBack, ['back_screen']);
    const noCurrent = structuredClone(screens);
    delete noCurrent.front_screen!.current_playlist;
    expect(DeviceScreens.safeParse(noCurrent).success).toBe(true);
    noCurrent.front_screen!.current_playlist = null;
    expect(DeviceScreens.safeParse(noCurrent).success).toBe(true);
  });

  it('models the device-side cached media item', () => {
    const cached = {
      ...screens.front_screen!.playlists[0]!.media_items[0]!,
      local_path: '/data/data/com.example.tv_monitor/files/vnnox_media/1001_logo1.jpg',
      downloaded: true,
      download_date: '2025-01-15T10:31:00Z',
    };
    expect(MediaItemModel.safeParse(cached).success).toBe(true);
    const { downloaded: _d, ...notDownloaded } = cached;
    expectIssueAt(MediaItemModel, notDownloaded, ['downloaded']);
    expectIssueAt(MediaItemModel, { ...cached, download_date: '15/01/2025' }, ['download_date']);
  });

  it('coerces multipart media_id but keeps the typed fields strict', () => {
    expect(ScreenshotFormFields.parse({ device_id: 'DEVICE-SN-12345', media_id: '1001' })).toEqual({
      device_id: 'DEVICE-SN-12345',
      media_id: 1001,
    });
    expectIssueAt(ScreenshotFormFields, { device_id: 'X', media_id: 'abc' }, ['media_id']);
    expectIssueAt(ScreenshotFormFields, { device_id: 'X', media_id: '' }, ['media_id']);
    expectIssueAt(ScreenshotFormFields, { media_id: '1001' }, ['device_id']);
    expectIssueAt(ScreenshotFields, { device_id: 'X', media_id: '1001' }, ['media_id']);
  });

  it('rejects malformed error bodies and traversal in media paths', () => {
    expectIssueAt(SignageError, { message: 'x', status_code: '400' }, ['status_code']);
    expectIssueAt(SignageError, { status_code: 400 }, ['message']);
    expect(MediaPathParams.safeParse({ path: 'images/logo1.jpg' }).success).toBe(true);
    expectIssueAt(MediaPathParams, { path: 'images/../../etc/passwd' }, ['path']);
  });
});

describe('error shape', () => {
  it('renders the seed error body and reads it back', () => {
    const body = signageErrorShape.render({
      status: 401,
      code: 'TOKEN_EXPIRED',
      message: 'Token has expired',
    });
    expect(body).toEqual({ message: 'Token has expired', status_code: 401, code: 'TOKEN_EXPIRED' });
    expect(SignageError.safeParse(body).success).toBe(true);
    expect(signageErrorShape.read(body)).toEqual({
      code: 'TOKEN_EXPIRED',
      message: 'Token has expired',
    });
    expect(signageErrorShape.read(examples[52]?.value)).toEqual({
      message: 'Network error - please check internet connection',
    });
    expect(signageErrorShape.read({ detail: 'x' })).toBeUndefined();
  });
});

describe('surface', () => {
  it('is registered in seed order with unique route ids', () => {
    expect(surfaces).toContain(signageSurface);
    const ids = signageSurface.routes.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const route of signageSurface.routes) {
      expect(route.path === '/media/{path}' || route.path.startsWith('/api/v1/')).toBe(true);
    }
    const register = signageSurface.routes.find((r) => r.id === 'signage.registerDevice');
    expect(Object.keys(register?.responses ?? {})).toEqual([
      '200',
      '201',
      '400',
      '401',
      '403',
      '503',
      '507',
    ]);
  });
});

describe('inferred types', () => {
  it('narrows actions on `action`', () => {
    expectTypeOf<ServerActionName>().toEqualTypeOf<
      | 'play'
      | 'pause'
      | 'next'
      | 'previous'
      | 'reload_playlist'
      | 'switch_playlist'
      | 'play_media'
      | 'show_text_overlay'
      | 'hide_text_overlay'
      | 'set_brightness'
      | 'set_volume'
      | 'take_screenshot'
    >();
    expectTypeOf<
      Extract<ServerAction, { action: 'set_brightness' }>['brightness']
    >().toEqualTypeOf<number>();
    expectTypeOf<Extract<ServerAction, { action: 'play_media' }>['media_index']>().toEqualTypeOf<
      number | undefined
    >();
    expectTypeOf<ServerAction['command_id']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<TextOverlay['position']>().toEqualTypeOf<'top' | 'bottom' | 'left' | 'right'>();
    expectTypeOf<ServerMessage>().toExtend<{ action: string } | { type: 'error' }>();
  });

  it('types screens, devices and media', () => {
    expectTypeOf<DeviceScreens['front_screen']>().toEqualTypeOf<ScreenConfig | null>();
    expectTypeOf<DeviceModel['brightness']>().toEqualTypeOf<number>();
    expectTypeOf<DeviceModelInput['brightness']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<DeviceModel['mac_address']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<MediaType>().toEqualTypeOf<'image' | 'video'>();
    expectTypeOf<ScreenshotFormFields['media_id']>().toEqualTypeOf<number>();
  });

  it('types status messages per status', () => {
    expectTypeOf<PlaylistStatusValue>().toEqualTypeOf<
      'ready' | 'downloading' | 'partial' | 'failed'
    >();
    expectTypeOf<ClientMessage['type']>().toEqualTypeOf<
      'ready_playlists' | 'playlist_status' | 'ack' | 'health'
    >();
    expectTypeOf<
      Extract<PlaylistStatusMessage, { status: 'downloading' }>['total_items']
    >().toEqualTypeOf<number>();
    expectTypeOf<
      Extract<PlaylistStatusMessage, { status: 'ready' }>['total_items']
    >().toEqualTypeOf<number | undefined>();
    expectTypeOf<
      Extract<PlaylistStatusMessage, { status: 'partial' }>['missing_files']
    >().toEqualTypeOf<string[]>();
  });
});
