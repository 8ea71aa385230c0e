/**
 * The console's shell: sign-in, then a navigation bar with only the areas the signed-in role may
 * open, and the open area's view loaded on demand (each view is its own chunk, so the first page
 * is small and the kiosk pages share none of it). Areas are addressed by hash (`#/media`), so the
 * server serves one page at /console/.
 */
import type { JSX } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { SessionInfo } from '@marquee/sdk';
import { accounts, describeError } from './api';
import { Feed, FeedContext } from './feed';
import { areasFor, followsFleet, makeSession, SessionContext, type Area } from './session';
import { SignIn } from './sign-in';
import { applyTheme, effectiveTheme, storedTheme, type Theme } from './theme';

type ViewModule = { readonly default: () => JSX.Element };

const VIEWS: Record<Area, { readonly title: string; readonly load: () => Promise<ViewModule> }> = {
  fleet: { title: 'Fleet', load: () => import('./views/fleet') },
  pairing: { title: 'Pairing', load: () => import('./views/pairing') },
  media: { title: 'Media', load: () => import('./views/media') },
  playlists: { title: 'Playlists', load: () => import('./views/playlists') },
  plays: { title: 'Proof of play', load: () => import('./views/plays') },
  users: { title: 'Users & tokens', load: () => import('./views/users') },
  dashboards: { title: 'Dashboards', load: () => import('./views/dashboards') },
  account: { title: 'Account', load: () => import('./views/account') },
};

function areaFromHash(): string {
  return window.location.hash.replace(/^#\/?/, '');
}

export function App(): JSX.Element {
  const [info, setInfo] = useState<SessionInfo | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);

  useEffect(() => {
    accounts.me().then(
      (me) => setInfo(me),
      () => setInfo(null),
    );
  }, []);

  const onLost = useCallback(() => {
    setNotice('Your session ended. Sign in again.');
    setInfo(null);
  }, []);

  if (info === undefined) return <p class="boot">Loading the console…</p>;
  if (info === null || info.kind !== 'user') {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(me) => {
          setNotice(undefined);
          setInfo(me);
        }}
      />
    );
  }
  return (
    <Console
      info={info}
      onLost={onLost}
      onSignedOut={() => {
        setNotice('Signed out.');
        setInfo(null);
      }}
    />
  );
}

function Console(props: {
  readonly info: SessionInfo;
  readonly onLost: () => void;
  readonly onSignedOut: () => void;
}): JSX.Element {
  const session = useMemo(() => makeSession(props.info, props.onLost), [props.info, props.onLost]);
  const feed = useMemo(
    () =>
      followsFleet(props.info)
        ? // Credentials revoked (disabled, password changed): ask who we are; a 401 signs out.
          new Feed(window.location.origin, () => void accounts.me().catch(session.lost))
        : undefined,
    [props.info, session],
  );
  useEffect(() => {
    feed?.start();
    return () => feed?.close();
  }, [feed]);
  const areas = areasFor(props.info);
  const [hash, setHash] = useState(areaFromHash);
  useEffect(() => {
    const onHash = () => setHash(areaFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const area: Area = (areas as readonly string[]).includes(hash)
    ? (hash as Area)
    : (areas[0] ?? 'account');

  const signOut = async () => {
    try {
      await accounts.signOut();
    } finally {
      props.onSignedOut();
    }
  };

  return (
    <SessionContext.Provider value={session}>
      <FeedContext.Provider value={feed}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <strong class="brand">Marquee</strong>
          <nav aria-label="Console">
            <ul>
              {areas.map((name) => (
                <li key={name}>
                  <a href={`#/${name}`} aria-current={name === area ? 'page' : undefined}>
                    {VIEWS[name].title}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {feed !== undefined && <FeedState feed={feed} />}
          <span class="who" data-testid="who">
            {props.info.username} <small>({props.info.role})</small>
          </span>
          <ThemeToggle />
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </header>
        <main id="main" tabIndex={-1}>
          <LazyView key={area} area={area} />
        </main>
      </FeedContext.Provider>
    </SessionContext.Provider>
  );
}

function LazyView(props: { readonly area: Area }): JSX.Element {
  const [view, setView] = useState<ViewModule | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const { title, load } = VIEWS[props.area];
  useEffect(() => {
    document.title = `${title} · Marquee console`;
    load().then(setView, (failure: unknown) => setError(describeError(failure)));
  }, [load, title]);
  if (error !== undefined) return <p role="alert">This view failed to load: {error}</p>;
  if (!view) return <p>Loading {title}…</p>;
  const View = view.default;
  return <View />;
}

/** Whether the views are live (the push channel is open) or polling slowly until it is back. */
function FeedState(props: { readonly feed: Feed }): JSX.Element {
  const [live, setLive] = useState(props.feed.live);
  useEffect(() => {
    setLive(props.feed.live);
    return props.feed.onLive(setLive);
  }, [props.feed]);
  return (
    <span class="feed" data-testid="feed-state" data-live={live ? 'yes' : 'no'} role="status">
      {live ? 'Live' : 'Reconnecting…'}
    </span>
  );
}

function ThemeToggle(): JSX.Element {
  const [theme, setTheme] = useState<Theme>(storedTheme);
  const shown = effectiveTheme(theme);
  const next: Theme = shown === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      aria-label={`Switch to the ${next} theme`}
      title={`Switch to the ${next} theme`}
      onClick={() => {
        applyTheme(next);
        setTheme(next);
      }}
    >
      {shown === 'dark' ? 'Light theme' : 'Dark theme'}
    </button>
  );
}
