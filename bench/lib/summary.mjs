// Turns the per-benchmark result JSONs into the summary table (stdout and summary.md). Known
// benchmarks get their headline figures and targets; any other JSON is shown by its top-level
// numbers, so a benchmark added later still appears.
const f = (x, d = 2) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : 'n/a');

const TARGETS = {
  resnet: 'wasm ResNet-18 @224 ≥ 1.0× PyTorch CPU at the same thread count',
  e2e: 'bias-score per checkpoint ≥ 3× faster than the PyTorch pipeline',
  estimator: 'estimator < 2 s (21,845 pairs per factor × D = 2,048)',
  memory: 'RSS growth < 5% over 200 checkpoints',
  setup: 'ONNX Runtime session set-up ≤ 10% of a checkpoint on the demo probe set (216 images at 32 px)',
  profile: 'profile: where the forward spends its time (no target)',
  transformers: 'ViT-B/16 and ConvNeXt-T @224 reported beside PyTorch CPU at the same thread count (no target)',
  stylize: 'AdaIN builder path and stylize @512 ≥ 1.0× PyTorch CPU at the same thread count',
};

function resnetRows(r) {
  const rows = [];
  const torch1 = r.ratios?.threads1 ?? [];
  for (const x of r.results ?? []) {
    const t = torch1.find((q) => q.size === x.size);
    rows.push([`ResNet-18 taps @${x.size}, 1 thread (${r.backend?.name})`, `${f(x.best.imagesPerS)} img/s (batch ${x.best.batch})`, t ? `${f(t.torch)} img/s` : 'no torch', t ? `${f(t.ratio)}×` : '']);
  }
  if (r.pool) {
    const key = `threads${r.pool.workers}`;
    for (const x of r.pool.results) {
      const t = (r.ratios?.[key] ?? []).find((q) => q.size === x.size);
      rows.push([`ResNet-18 taps @${x.size}, ${r.pool.workers} workers`, `${f(x.best.imagesPerS)} img/s (batch ${x.best.batch})`, t ? `${f(t.torch)} img/s (${r.pool.workers} threads)` : 'no torch', t ? `${f(t.ratio)}×` : '']);
    }
  }
  return rows;
}

function transformerRows(r) {
  const name = { vit_b_16: 'ViT-B/16', convnext_tiny: 'ConvNeXt-T' };
  return (r.ratios ?? Object.entries(r.results ?? {}).map(([arch, x]) => ({ arch, size: r.size, ours: x.best.imagesPerS }))).map((x) => [
    `${name[x.arch] ?? x.arch} final tap @${x.size}, 1 thread (${r.backend?.name})`,
    `${f(x.ours, 3)} img/s (batch ${r.results[x.arch].best.batch})`,
    x.torch !== undefined ? `${f(x.torch, 3)} img/s` : 'no torch',
    x.ratio !== undefined ? `${f(x.ratio)}×` : '',
  ]);
}

function e2eRows(r) {
  if (r.skipped) return [['bias-score end-to-end', `skipped: ${r.skipped}`, '', '']];
  const ours = r.shapetex?.perCheckpointSeconds, theirs = r.torch?.perCheckpointSeconds;
  const tt = r.torch ? ` (${r.torch.threads} thread${r.torch.threads > 1 ? 's' : ''})` : '';
  const rows = [[`bias-score CLI per checkpoint (${r.images} images @${r.imageSize}, ${r.checkpoints} ckpts, 1 thread)`, ours ? `${f(ours)} s` : 'n/a', theirs ? `${f(theirs)} s${tt}` : (r.torchNote ?? 'no torch'), ours && theirs ? `${f(theirs / ours)}× faster` : '']];
  if (r.pool) {
    const p = r.pool.perCheckpointSeconds;
    const same = r.torchByThreads?.[r.pool.workers];
    const t = same ?? r.torch;
    rows.push([`scoreCheckpoints + ${r.pool.workers}-worker pool per checkpoint`, `${f(p)} s`, t ? `${f(t.perCheckpointSeconds)} s (${t.threads} thread${t.threads > 1 ? 's' : ''})` : '', t ? `${f(t.perCheckpointSeconds / p)}× faster` : '']);
  }
  return rows;
}

function estimatorRows(r) {
  return (r.results ?? []).map((x) => [`estimator ${x.name}`, `${f(x.bestSeconds, 3)} s`, '', '']);
}

function profileRows(r) {
  // the kernels with the largest shares (tfjs's FusedConv2D, or shapetex's own on wasm)
  const top = Object.entries(r.byKernel ?? {}).sort((a, b) => b[1] - a[1]).slice(0, 3)
    .map(([name, share]) => `${name} ${f(100 * share, 1)}%`).join(', ');
  return [[`ResNet-18 profile @${r.size}, batch ${r.batch}`, `${top || 'n/a'} of kernel time; checkpoint read+build ${r.checkpoint ? f(r.checkpoint.readSeconds + r.checkpoint.buildSeconds) + ' s' : 'n/a'}`, '', '']];
}

function memoryRows(r) {
  if (typeof r.growthPercent !== 'number') return genericRows('memory', r);
  return [[`RSS over ${r.checkpoints} checkpoint loads`, `growth ${f(r.growthPercent)}% (${f(r.rssAfterWarmupMiB, 0)} → ${f(r.rssEndMiB, 0)} MiB after warm-up)`, '', '']];
}

function setupRows(r) {
  const rows = [];
  for (const [arch, byMalloc] of Object.entries(r.archs ?? {})) {
    for (const [malloc, e] of Object.entries(byMalloc ?? {})) {
      if (typeof e?.setupShareSteady !== 'number') return genericRows('setup', r);
      rows.push([`ONNX session set-up share of a checkpoint, ${arch} @${r.imageSize}, glibc malloc ${malloc}`, `${f(100 * e.setupShareSteady, 1)}% from the 3rd checkpoint (median of ${e.rounds.length} rounds)`, '', '']);
    }
  }
  return rows.length > 0 ? rows : genericRows('setup', r);
}

function stylizeRows(r) {
  if (!Array.isArray(r.sides)) return genericRows('stylize', r);
  const rows = [];
  for (const s of r.sides) {
    const at = s.threads === 1 ? '1 thread' : `${s.threads} workers`;
    for (const path of ['builder', 'stylize']) {
      const x = s[path];
      rows.push([`AdaIN ${path === 'builder' ? 'builder path' : 'stylize'} @${r.size}, ${at}`, `${f(x.shapetexImagesPerS, 3)} img/s`,
        x.torchImagesPerS ? `${f(x.torchImagesPerS, 3)} img/s${s.threads > 1 ? ` (${s.threads} threads)` : ''}` : 'no torch',
        x.ratio ? `${f(x.ratio)}× (rounds ${x.roundRatios.map((v) => f(v)).join(', ')})` : '']);
    }
  }
  return rows;
}

function engineRows(r) {
  return Object.entries(r.results ?? {}).map(([spec, x]) => [
    `${spec} final tap, 1 thread: shapetex's graph vs torch.onnx.export's on ONNX Runtime (wasm path; PyTorch)`,
    `${f(x.ours.imagesPerS)} img/s (wasm ${x.wasm ? f(x.wasm.imagesPerS) : '-'})`,
    `torch graph ${f(x.torchGraph.imagesPerS)} img/s; PyTorch ${x.torch ? f(x.torch.imagesPerS) : '-'}`,
    `${f(x.ratio, 3)}×`,
  ]);
}

function genericRows(name, r) {
  const nums = Object.entries(r).filter(([, v]) => typeof v === 'number').slice(0, 8);
  return [[name, nums.map(([k, v]) => `${k}=${Number.isInteger(v) ? v : f(v, 3)}`).join(', ') || 'see JSON', '', '']];
}

export function summarize(results) {
  const rows = [];
  for (const [name, r] of Object.entries(results)) {
    if (!r) continue;
    if (name === 'engine') rows.push(...engineRows(r));
    else if (name === 'resnet') rows.push(...resnetRows(r));
    else if (name === 'e2e') rows.push(...e2eRows(r));
    else if (name === 'transformers') rows.push(...transformerRows(r));
    else if (name === 'estimator') rows.push(...estimatorRows(r));
    else if (name === 'profile') rows.push(...profileRows(r));
    else if (name === 'memory') rows.push(...memoryRows(r));
    else if (name === 'stylize') rows.push(...stylizeRows(r));
    else if (name === 'setup') rows.push(...setupRows(r));
    else rows.push(...genericRows(name, r));
  }
  const m = Object.values(results).find((r) => r?.machine)?.machine;
  const head = ['benchmark', 'shapetex', 'PyTorch', 'ratio'];
  const md = [
    `# Benchmark summary`,
    '',
    m ? `Machine: ${m.cpus}-core ${m.cpuModel}, ${m.memGiB} GiB, Node ${m.node}, ${m.platform}; load average at start ${m.loadavg.join(' ')}.` : '',
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    'Targets:',
    ...Object.entries(TARGETS).filter(([k]) => results[k]).map(([, t]) => `- ${t}`),
    '',
  ].join('\n');
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const text = [head, ...rows].map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ')).join('\n');
  return { md, text };
}
