/**
 * Dark and light themes: the system's choice (`prefers-color-scheme`) unless the person picked
 * one with the toggle, which is kept in localStorage. The style sheet reads `data-theme`.
 */
export type Theme = 'system' | 'light' | 'dark';

const KEY = 'marquee-console-theme';

export function storedTheme(): Theme {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  try {
    if (theme === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, theme);
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
}

/** The theme shown now, `system` resolved. */
export function effectiveTheme(theme: Theme): 'light' | 'dark' {
  if (theme !== 'system') return theme;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
