/** What the service worker answers from its kept shell, and what it leaves to the network. */
import { describe, expect, it } from 'vitest';
import { shellEntry } from '../src/shell';

const SCOPE = 'http://tv.local:8000/tv/';

describe('shellEntry', () => {
  it('maps the page (with or without index.html or a query) and its two assets', () => {
    expect(shellEntry('GET', 'http://tv.local:8000/tv/', SCOPE)).toBe('./');
    expect(shellEntry('GET', 'http://tv.local:8000/tv/?server=x&username=y', SCOPE)).toBe('./');
    expect(shellEntry('GET', 'http://tv.local:8000/tv/index.html', SCOPE)).toBe('./');
    expect(shellEntry('GET', 'http://tv.local:8000/tv/player.js', SCOPE)).toBe('player.js');
    expect(shellEntry('GET', 'http://tv.local:8000/tv/player.css?v=2', SCOPE)).toBe('player.css');
  });

  it('leaves the API, media, the socket, other origins and writes alone', () => {
    for (const url of [
      'http://tv.local:8000/api/v1/admin/cloud/playlists?sn_number=A',
      'http://tv.local:8000/api/v1/cloud/proof-of-play/',
      'http://tv.local:8000/media/1_a.png',
      'http://tv.local:8000/tv/sw.js',
      'http://tv.local:8000/tv/player.js.map',
      'http://other.local:8000/tv/player.js',
      'http://tv.local:8000/',
      'not a url',
    ]) {
      expect(shellEntry('GET', url, SCOPE), url).toBeUndefined();
    }
    expect(shellEntry('POST', 'http://tv.local:8000/tv/', SCOPE)).toBeUndefined();
  });
});
