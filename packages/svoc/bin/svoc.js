#!/usr/bin/env node
// The `svoc` launcher. It is committed (dist/ is build output) so that npm and pnpm can link
// the command when the workspace is installed, before the first build.
try {
  await import('../dist/cli.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.js')) {
    process.stderr.write('svoc: the package is not built yet; run `npm run build` at the workspace root\n');
    process.exit(1);
  }
  throw err;
}
