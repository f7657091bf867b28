/**
 * The import structure of packages/{core,svoc,bias}/src, checked by dependency-cruiser
 * (test/structure/dependencies.test.ts runs it; `npm run check:deps` by hand).
 *
 * - no import circle, type-only imports included;
 * - the packages stack core → svoc → bias: core imports neither svoc nor bias, svoc does not
 *   import bias, and a package reaches another only through its name (`@shapetex/core`), never
 *   a relative path into its folder; no package imports examples/, test/ or bench/;
 * - inside each package, the layers of its README's "Layering" notes: a module imports only from
 *   its own layer and the layers listed before it; nothing imports the package's entry points
 *   (index.ts, cli.ts), which exist for callers outside.
 */

/** Lower layers first; a layer is a list of folders or top-level files under src/. */
const LAYERS = {
  core: [['util', 'version.ts', 'defaults.ts'], ['kernels'], ['image', 'io'], ['onnx'], ['backend'], ['zoo'], ['features'], ['pool']],
  svoc: [['types.ts', 'defaults.ts'], ['probe', 'adain'], ['builder', 'synth', 'cue']],
  bias: [['pairs', 'defaults.ts', 'errors.ts'], ['estimate'], ['types.ts'], ['cue'], ['dynamics'], ['report'], ['score'], ['filters', 'compare'], ['cli']],
};

/** Entry points: imported by nothing inside their package. */
const ENTRIES = ['index.ts', 'cli.ts'];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Regex of the given folders or files under packages/<pkg>/src/. */
const under = (pkg, entries) => `^packages/${pkg}/src/(${entries.map((e) => (e.endsWith('.ts') ? `${escape(e)}$` : `${escape(e)}/`)).join('|')})`;

function layerRules() {
  const rules = [];
  for (const [pkg, layers] of Object.entries(LAYERS)) {
    layers.forEach((layer, i) => {
      const higher = [...layers.slice(i + 1).flat()];
      if (higher.length === 0) return;
      rules.push({
        name: `${pkg}-layers-${layer.join('+').replace(/\.ts$/, '')}`,
        comment: `${pkg}: ${layer.join(', ')} may not import ${higher.join(', ')} (the package README's Layering notes)`,
        severity: 'error', from: { path: under(pkg, layer) }, to: { path: under(pkg, higher) },
      });
    });
    rules.push({
      name: `${pkg}-no-entry-import`,
      comment: `${pkg}: import the module itself, not the package's index.ts or cli.ts`,
      severity: 'error', from: { path: `^packages/${pkg}/src/` }, to: { path: under(pkg, ENTRIES) },
    });
    // A module in no layer would escape every rule above: new folders are placed in LAYERS.
    const placed = under(pkg, [...layers.flat(), ...ENTRIES]);
    const unplaced = { path: `^packages/${pkg}/src/`, pathNot: placed };
    const comment = `${pkg}: every folder and top-level file of src/ belongs to a layer in .dependency-cruiser.cjs`;
    rules.push({ name: `${pkg}-unlayered`, comment, severity: 'error', from: unplaced, to: {} });
    rules.push({ name: `${pkg}-unlayered`, comment, severity: 'error', from: {}, to: unplaced });
  }
  return rules;
}

/** A workspace package as an import target: its folder, or its name where it did not resolve. */
const pkgTarget = (pkg) => `^(packages/${pkg}/|@shapetex/${pkg}($|/))`;

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'no import circle, type-only imports included', severity: 'error', from: {}, to: { circular: true } },
    { name: 'core-not-svoc-or-bias', comment: 'core knows nothing of the probe set or the estimators', severity: 'error', from: { path: '^packages/core/' }, to: { path: [pkgTarget('svoc'), pkgTarget('bias')] } },
    { name: 'svoc-not-bias', comment: 'svoc builds probe sets; it does not score them', severity: 'error', from: { path: '^packages/svoc/' }, to: { path: pkgTarget('bias') } },
    { name: 'packages-by-name', comment: 'another package is imported by its name, not a relative path into its folder', severity: 'error', from: { path: '^packages/([^/]+)/' }, to: { dependencyTypes: ['local'], pathNot: '^packages/$1/' } },
    { name: 'packages-not-outside', comment: 'packages do not import examples, tests or benchmarks', severity: 'error', from: { path: '^packages/' }, to: { path: '^(examples|test|bench)/' } },
    ...layerRules(),
  ],
  options: {
    doNotFollow: { path: ['node_modules', '^packages/[^/]+/dist/'] },
    tsPreCompilationDeps: true,
  },
};
