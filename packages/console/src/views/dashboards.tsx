/**
 * Dashboards: the server's kiosk pages, for a screen on the wall or a look now. Each is linked
 * once the server answers for it (a page not served by this build, such as one landing later, is
 * listed as not available instead of a link to a 404).
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const PAGES = [
  { path: '/', title: 'Now Playing', about: 'Who watches what, and the system stats.' },
  { path: '/gpu', title: 'GPU', about: 'VRAM, loaded models and downloads.' },
  { path: '/monitor', title: 'Monitoring', about: 'Services, metrics, alerts and logs.' },
  {
    path: '/media-stack',
    title: 'Media stack',
    about: 'Plex, the *arrs, downloads, requests and notifications.',
  },
] as const;

type Availability = Readonly<Record<string, boolean>>;

export default function Dashboards(): JSX.Element {
  const [served, setServed] = useState<Availability | undefined>(undefined);
  useEffect(() => {
    let stopped = false;
    // Pages, not API routes: a HEAD says whether this server serves each one.
    void Promise.all(
      PAGES.map(async ({ path }) => {
        try {
          return [path, (await fetch(path, { method: 'HEAD' })).ok] as const;
        } catch {
          return [path, false] as const;
        }
      }),
    ).then((entries) => {
      if (!stopped) setServed(Object.fromEntries(entries));
    });
    return () => {
      stopped = true;
    };
  }, []);
  return (
    <section aria-labelledby="dashboards-title">
      <h1 id="dashboards-title">Dashboards</h1>
      <p>Kiosk pages for a screen on the wall. Each opens in a new tab.</p>
      <ul class="cards" data-testid="dashboards">
        {PAGES.map((page) => (
          <li key={page.path} class="card" data-page={page.path}>
            <h2>
              {served?.[page.path] === true ? (
                <a href={page.path} target="_blank" rel="noreferrer">
                  {page.title}
                </a>
              ) : (
                page.title
              )}
            </h2>
            <p>{page.about}</p>
            {served !== undefined && served[page.path] !== true && (
              <p>
                <small>Not served by this server.</small>
              </p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
