// Fails early with a clear message when the scripts run on an older Node than the toolchain needs.
// `npm install` puts Node 24 (the registry package `node`) in node_modules/.bin, which npm scripts use first.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `Marquee needs Node >= 22.12, found ${process.versions.node}. Run "npm ci" first: it installs Node 24 into node_modules/.bin.`,
  );
  process.exit(1);
}
