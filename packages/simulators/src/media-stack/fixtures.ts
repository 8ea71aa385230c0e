/**
 * Recorded-shape answers of the media-stack upstreams, field names and types as each project's
 * API documentation gives them (Plex Media Server API, Jellyfin's OpenAPI, Tautulli's API.md,
 * Overseerr's OpenAPI, qBittorrent's WebUI API wiki, Sonarr / Radarr v3 and Prowlarr v1 OpenAPI),
 * values invented. Marquee's adapter tests answer them through msw; the fake media stack serves them.
 */
export const PLEX_IDENTITY = {
  MediaContainer: {
    size: 0,
    friendlyName: 'Basement Plex',
    machineIdentifier: 'abcd1234efgh5678',
    version: '1.32.7.7621-871adbd44',
    platform: 'Linux',
    platformVersion: 'Ubuntu 22.04.3 LTS',
    transcoderActiveVideoSessions: 1,
    myPlexMappingState: 'mapped',
  },
};

export const PLEX_SESSIONS = {
  MediaContainer: {
    size: 2,
    Metadata: [
      {
        sessionKey: '12',
        ratingKey: '4521',
        type: 'episode',
        title: 'Pilot',
        grandparentTitle: 'Breaking Bad',
        parentIndex: 1,
        index: 1,
        viewOffset: 1245000,
        duration: 3480000,
        thumb: '/library/metadata/4521/thumb/1700000000',
        User: { id: '1', title: 'john_doe', thumb: 'https://plex.tv/users/x/avatar' },
        Player: {
          title: 'Living Room TV',
          product: 'Plex for LG',
          platform: 'webOS',
          state: 'playing',
          machineIdentifier: 'tv-1',
        },
        Session: { id: 'sess-a', bandwidth: 8000, location: 'lan' },
        TranscodeSession: { key: '/transcode/sessions/x', videoDecision: 'transcode' },
      },
      {
        sessionKey: '13',
        type: 'movie',
        title: 'The Matrix',
        viewOffset: 60000,
        duration: 8160000,
        User: { id: '2', title: 'jane' },
        Player: { title: 'Plex Web', product: 'Plex Web', state: 'paused' },
        Session: { id: 'sess-b', bandwidth: 4500, location: 'wan' },
      },
    ],
  },
};

/** What Plex serves for a `thumb`: here a 1×1 PNG. */
export const PLEX_POSTER_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

export const PLEX_SECTIONS = {
  MediaContainer: {
    size: 2,
    allowSync: false,
    title1: 'Plex Library',
    Directory: [
      {
        key: '1',
        title: 'Movies',
        type: 'movie',
        agent: 'tv.plex.agents.movie',
        scannedAt: 1704096000,
        updatedAt: 1704096000,
      },
      {
        key: '2',
        title: 'TV Shows',
        type: 'show',
        agent: 'tv.plex.agents.series',
        scannedAt: 1704097800,
      },
    ],
  },
};

export const plexCount = (totalSize: number) => ({
  MediaContainer: { size: 0, totalSize, offset: 0 },
});

export const JELLYFIN_INFO = {
  ServerName: 'jelly',
  Version: '10.9.11',
  Id: 'f0e1d2c3',
  OperatingSystem: 'Linux',
};

export const JELLYFIN_SESSIONS = [
  {
    Id: 'js-1',
    UserId: 'u-1',
    UserName: 'alice',
    Client: 'Jellyfin Web',
    DeviceName: 'Firefox',
    NowPlayingItem: {
      Id: 'item-9',
      Name: 'Arrival',
      Type: 'Movie',
      SeriesName: null,
      RunTimeTicks: 69_600_000_000,
    },
    PlayState: { PositionTicks: 12_000_000_000, IsPaused: false, PlayMethod: 'DirectPlay' },
    TranscodingInfo: null,
  },
  {
    Id: 'js-2',
    UserName: 'bob',
    Client: 'Android TV',
    DeviceName: 'Shield',
    NowPlayingItem: null,
    PlayState: { IsPaused: false },
  },
];

const tautulliOk = (data: unknown) => ({ response: { result: 'success', message: null, data } });

export const TAUTULLI_ACTIVITY = tautulliOk({
  stream_count: '2',
  stream_count_direct_play: 1,
  stream_count_transcode: 1,
  total_bandwidth: 12500,
  lan_bandwidth: 8000,
  wan_bandwidth: 4500,
  sessions: [
    {
      session_key: '12',
      user: 'john_doe',
      friendly_name: 'John',
      full_title: 'Breaking Bad - Pilot',
      media_type: 'episode',
      state: 'playing',
      progress_percent: '35',
      transcode_decision: 'transcode',
      player: 'Living Room TV',
      product: 'Plex for LG',
      bandwidth: '8000',
    },
  ],
});

export const TAUTULLI_HISTORY = tautulliOk({
  recordsFiltered: 2,
  recordsTotal: 2,
  draw: 1,
  data: [
    {
      date: 1704110400,
      started: 1704110400,
      stopped: 1704114000,
      user: 'john_doe',
      friendly_name: 'John',
      full_title: 'The Matrix',
      media_type: 'movie',
    },
    {
      date: 1704024000,
      started: 1704024000,
      stopped: 1704027600,
      user: 'jane',
      friendly_name: 'Jane',
      full_title: 'Arrival',
      media_type: 'movie',
    },
  ],
});

export const TAUTULLI_LIBRARIES = tautulliOk([
  {
    section_id: '1',
    section_name: 'Movies',
    section_type: 'movie',
    count: '2156',
    parent_count: '',
    child_count: '',
  },
  {
    section_id: 2,
    section_name: 'TV Shows',
    section_type: 'show',
    count: 487,
    parent_count: 2100,
    child_count: 15423,
  },
]);

export const TAUTULLI_USERS = tautulliOk([
  { user_id: 1, username: 'john_doe', friendly_name: 'John', is_active: 1 },
  { user_id: '2', username: 'jane', friendly_name: 'Jane', is_active: 0 },
]);

export const TAUTULLI_BAD_KEY = {
  response: { result: 'error', message: 'Invalid apikey', data: {} },
};

export const OVERSEERR_STATUS = {
  version: '1.33.2',
  commitTag: 'v1.33.2',
  updateAvailable: false,
  commitsBehind: 0,
};

export const OVERSEERR_COUNTS = {
  total: 1847,
  movie: 1234,
  tv: 613,
  pending: 12,
  approved: 8,
  declined: 2,
  processing: 3,
  available: 1822,
};

const overseerrUser = (id: number, displayName: string) => ({
  id,
  email: `${displayName}@example.com`,
  displayName,
  plexUsername: displayName,
  requestCount: 4,
  userType: 1,
});

export const OVERSEERR_REQUESTS = {
  pageInfo: { pages: 93, pageSize: 20, results: 1847, page: 1 },
  results: [
    {
      id: 901,
      status: 2,
      type: 'movie',
      createdAt: '2024-01-01T12:10:00.000Z',
      updatedAt: '2024-01-01T12:15:00.000Z',
      media: { id: 77, tmdbId: 603, status: 5, mediaType: 'movie' },
      requestedBy: overseerrUser(1, 'john_doe'),
      modifiedBy: overseerrUser(1, 'john_doe'),
    },
    {
      id: 902,
      status: 1,
      type: 'tv',
      createdAt: '2024-01-01T12:05:00.000Z',
      updatedAt: '2024-01-01T12:05:00.000Z',
      media: { id: 78, tmdbId: 1396, status: 2, mediaType: 'tv' },
      requestedBy: overseerrUser(2, 'jane_smith'),
    },
  ],
};

export const OVERSEERR_USERS = {
  pageInfo: { pages: 45, pageSize: 1, results: 45, page: 1 },
  results: [overseerrUser(1, 'john_doe')],
};

export const OVERSEERR_TITLES: Record<string, { title?: string; name?: string }> = {
  'movie/603': { title: 'The Matrix' },
  'tv/1396': { name: 'Breaking Bad' },
};

export const QBIT_VERSION = 'v4.5.4';

export const QBIT_TRANSFER = {
  dl_info_speed: 45_200_000,
  dl_info_data: 127_600_000_000,
  up_info_speed: 12_800_000,
  up_info_data: 3_000_000_000,
  dl_rate_limit: 0,
  up_rate_limit: 0,
  dht_nodes: 350,
  connection_status: 'connected',
};

export const QBIT_TORRENTS = [
  {
    hash: 'aaa111',
    name: 'The Batman (2022)',
    size: 12_400_000_000,
    total_size: 12_400_000_000,
    progress: 0.675,
    dlspeed: 25_600_000,
    upspeed: 100_000,
    eta: 2535,
    state: 'downloading',
    added_on: 1704100000,
    completion_on: -1,
    amount_left: 4_030_000_000,
    category: 'movies',
  },
  {
    hash: 'bbb222',
    name: 'Stranger Things S04E09',
    size: 2_800_000_000,
    progress: 0.231,
    dlspeed: 0,
    eta: 8_640_000,
    state: 'queuedDL',
    completion_on: 0,
  },
  {
    hash: 'ccc333',
    name: 'Arrival (2016)',
    size: 9_000_000_000,
    progress: 1,
    dlspeed: 0,
    eta: 8_640_000,
    state: 'uploading',
    completion_on: 1704110000,
  },
];

export const ARR_STATUS = {
  appName: 'Sonarr',
  version: '4.0.1.929',
  startTime: '2024-01-01T00:00:00Z',
};

export const ARR_HEALTH_WARNING = [
  {
    source: 'UpdateCheck',
    type: 'warning',
    message: 'New update is available',
    wikiUrl: 'https://wiki.servarr.com',
  },
];
export const ARR_HEALTH_OK: typeof ARR_HEALTH_WARNING = [];
export const ARR_HEALTH_ERROR = [
  {
    source: 'DownloadClientCheck',
    type: 'error',
    message: 'Unable to communicate with qBittorrent',
    wikiUrl: 'https://wiki.servarr.com',
  },
];

export const ARR_QUEUE = {
  page: 1,
  pageSize: 100,
  sortKey: 'timeleft',
  totalRecords: 1,
  records: [
    {
      id: 55,
      seriesId: 3,
      episodeId: 120,
      title: 'Stranger.Things.S04E09.1080p',
      status: 'downloading',
      trackedDownloadStatus: 'ok',
      trackedDownloadState: 'downloading',
      size: 2_800_000_000,
      sizeleft: 2_153_200_000,
      timeleft: '01:28:33',
      estimatedCompletionTime: '2024-01-01T14:00:00Z',
      downloadClient: 'qBittorrent',
      protocol: 'torrent',
    },
  ],
};

export const SONARR_CALENDAR = [
  {
    id: 120,
    seriesId: 3,
    title: 'The Piggyback',
    seasonNumber: 4,
    episodeNumber: 9,
    airDateUtc: '2024-01-02T07:00:00Z',
    hasFile: false,
    monitored: true,
    series: { title: 'Stranger Things' },
  },
];

export const PROWLARR_INDEXERS = [
  { id: 1, name: 'Nyaa', enable: true, protocol: 'torrent', priority: 25 },
  { id: 2, name: 'NZBgeek', enable: false, protocol: 'usenet', priority: 25 },
];

export const RADARR_STATUS = {
  appName: 'Radarr',
  version: '5.2.6.8376',
  startTime: '2024-01-01T00:00:00Z',
};

/** Radarr's queue: one film downloading (a movie record names `movieId`, not a series). */
export const RADARR_QUEUE = {
  page: 1,
  pageSize: 100,
  sortKey: 'timeleft',
  totalRecords: 1,
  records: [
    {
      id: 71,
      movieId: 12,
      title: 'The.Batman.2022.2160p.UHD.BluRay',
      status: 'downloading',
      trackedDownloadStatus: 'ok',
      trackedDownloadState: 'downloading',
      size: 12_400_000_000,
      sizeleft: 4_030_000_000,
      timeleft: '00:42:15',
      estimatedCompletionTime: '2024-01-01T13:00:00Z',
      downloadClient: 'qBittorrent',
      protocol: 'torrent',
    },
  ],
};

/** Radarr's calendar: films by their release dates (no `airDateUtc`). */
export const RADARR_CALENDAR = [
  {
    id: 14,
    title: 'Dune: Part Two',
    hasFile: false,
    monitored: true,
    inCinemas: '2024-03-01T00:00:00Z',
    digitalRelease: '2024-04-16T00:00:00Z',
    physicalRelease: '2024-05-14T00:00:00Z',
  },
];

export const PROWLARR_STATUS = {
  appName: 'Prowlarr',
  version: '1.11.4.4173',
  startTime: '2024-01-01T00:00:00Z',
};
