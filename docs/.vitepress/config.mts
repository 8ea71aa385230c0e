/**
 * The documentation site (VitePress), built from docs/ by `npm run docs:site` (scripts/docs-site.ts),
 * which also copies in the TypeDoc API reference and the protocol's JSON files and checks every
 * link of the built site. Not deployed: CI builds and link-checks it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type DefaultTheme } from 'vitepress';

const docs = fileURLToPath(new URL('..', import.meta.url));

/** Each guide in docs/ (every .md but the home page), by its first heading. */
function guides(): DefaultTheme.SidebarItem[] {
  return readdirSync(docs)
    .filter((file) => file.endsWith('.md') && file !== 'index.md')
    .map((file) => {
      const heading = /^# (.+)$/m.exec(readFileSync(`${docs}/${file}`, 'utf8'))?.[1] ?? file;
      return { text: heading.replace(/`/g, ''), link: `/${file.slice(0, -'.md'.length)}` };
    })
    .sort((a, b) => a.text.localeCompare(b.text));
}

export default defineConfig({
  title: 'Marquee',
  description:
    'Typed real-time protocol, SDK, server and device simulators for media, homelab and signage screens',
  // docs/api is TypeDoc's HTML, copied in as it is after the build.
  srcExclude: ['api/**'],
  // The guides are plain Markdown read on GitHub too: text like `<sn_number>` outside code is
  // text, not an HTML element for Vue to compile.
  markdown: { html: false },
  themeConfig: {
    nav: [
      { text: 'Guides', link: '/surfaces' },
      { text: 'Protocol', link: '/protocol/README' },
      { text: 'Benchmarks', link: '/benchmarks' },
      // A plain page load: the API reference is TypeDoc's own site, not a VitePress page.
      { text: 'SDK API', link: '/api/index.html', target: '_self' },
    ],
    sidebar: [
      {
        text: 'Reference',
        items: [
          { text: 'Protocol reference (generated)', link: '/protocol/README' },
          { text: 'SDK API reference (TypeDoc)', link: '/api/index.html', target: '_self' },
        ],
      },
      { text: 'Guides', items: guides() },
    ],
  },
});
