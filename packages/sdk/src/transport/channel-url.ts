/** Where a client's WebSocket channel lives, from the HTTP base URL it was given. */

/**
 * `http(s)://host/prefix` → `ws(s)://host/prefix<path>?<query>`: the scheme follows the base's
 * (TLS stays TLS), a trailing slash on the prefix is dropped, and the base's own query and
 * fragment are not carried over.
 */
export function channelUrl(
  baseUrl: string,
  path: string,
  query: Readonly<Record<string, string>> = {},
): string {
  const url = new URL(baseUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  url.search = new URLSearchParams(query).toString();
  url.hash = '';
  return url.toString();
}
