import pkg from '../package.json' with { type: 'json' };

/** The simulators package's version, printed by `marquee-sim --version`. */
export const VERSION: string = pkg.version;
