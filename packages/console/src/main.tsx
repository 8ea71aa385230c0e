/** The console's entry: asks who is signed in, then shows the sign-in form or the console. */
// First: zod must not probe `new Function` under the page's CSP (see the file).
import '../../server/web/zod-jitless';
import { render } from 'preact';
import { App } from './app';
import { applyTheme, storedTheme } from './theme';

applyTheme(storedTheme());
const root = document.getElementById('app');
if (root) render(<App />, root);
