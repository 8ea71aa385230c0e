import pkg from '../package.json' with { type: 'json' };

/** The server package's version, reported by /healthz and `marquee --version`. */
export const VERSION: string = pkg.version;
