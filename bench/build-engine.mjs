// How `svoc build` should use N cores on ONNX Runtime: one session with N intra-op threads
// (`--threads N`) against N single-thread sessions in worker threads (`--workers N --threads 1`),
// beside one thread (`--threads 1`), each as a whole `svoc build` process over the same synthetic
// VOC, DTD and full-size random AdaIN weights (written by PyTorch), in alternating rounds (the machine is shared).
// Figures are whole-process seconds (start-up included: a build is one process) and per image.
//   node bench/build-engine.mjs [--quick] [--images 6] [--textures 2] [--size 512] [--rounds 2] [--cores 2]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { findTorch, runTorchJson } from './lib/torch.mjs';
import { writeResult, parseArgs } from './lib/common.mjs';
import { now, round } from './lib/timing.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = parseArgs(process.argv.slice(2));
const quick = Boolean(args.quick);
const IMAGES = Number(args.images ?? (quick ? 2 : 6));
const TEXTURES = Number(args.textures ?? 2);
const SIZE = Number(args.size ?? (quick ? 256 : 512));
const ROUNDS = Number(args.rounds ?? (quick ? 1 : 2));
const CORES = Number(args.cores ?? cpus().length);
const log = (s) => process.stderr.write(`build-engine: ${s}\n`);
const work = path.join(tmpdir(), `shapetex-bench-${process.getuid?.() ?? 'u'}`, `build-engine-${IMAGES}`);

/** A smooth seeded RGB JPEG, so the build decodes and resizes real bytes. */
async function jpeg(width, height, seed) {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = Math.round(127 + 100 * Math.sin(0.05 * (seed + 1) * x + 0.03 * (c + 1) * y + seed));
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
}

/** A VOC2012 tree of IMAGES single-object images (500×375, VOC's usual size) and a 6-category DTD. */
async function makeInputs() {
  const voc = path.join(work, 'VOC2012');
  const dtd = path.join(work, 'dtd');
  if (existsSync(path.join(voc, 'ImageSets/Main/trainval.txt'))) return { voc, dtd };
  for (const d of ['Annotations', 'JPEGImages', 'ImageSets/Main']) mkdirSync(path.join(voc, d), { recursive: true });
  const ids = Array.from({ length: IMAGES }, (_, i) => `2008_${String(i + 1).padStart(6, '0')}`);
  for (const [i, id] of ids.entries()) {
    writeFileSync(path.join(voc, 'JPEGImages', `${id}.jpg`), await jpeg(500, 375, i));
    writeFileSync(path.join(voc, 'Annotations', `${id}.xml`), `<annotation><filename>${id}.jpg</filename><size><width>500</width><height>375</height><depth>3</depth></size><object><name>dog</name><bndbox><xmin>10</xmin><ymin>10</ymin><xmax>400</xmax><ymax>300</ymax></bndbox></object></annotation>\n`);
  }
  writeFileSync(path.join(voc, 'ImageSets/Main/trainval.txt'), ids.join('\n') + '\n');
  for (const [k, cat] of ['banded', 'cracked', 'marbled', 'pleated', 'potholed', 'woven'].entries()) {
    mkdirSync(path.join(dtd, 'images', cat), { recursive: true });
    writeFileSync(path.join(dtd, 'images', cat, `${cat}_0001.jpg`), await jpeg(640, 480, 100 + k));
  }
  return { voc, dtd };
}

/** One `svoc build` process into a fresh `out`: its wall seconds, and per output image. */
function runBuild(out, extra, inputs) {
  return new Promise((resolve, reject) => {
    rmSync(out, { recursive: true, force: true });
    const cli = path.join(ROOT, 'packages/svoc/dist/cli.js');
    const argv = [cli, 'build', '--voc', inputs.voc, '--dtd', inputs.dtd, '--vgg', inputs.vgg, '--decoder', inputs.decoder,
      '--out', out, '--textures', String(TEXTURES), '--size', String(SIZE), '--backend', 'onnx', ...extra];
    const t0 = now();
    let stderr = '';
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const total = now() - t0;
      if (code !== 0) return reject(new Error(`svoc build ${extra.join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      resolve({ totalSeconds: round(total, 3), secondsPerImage: round(total / (IMAGES * TEXTURES), 4) });
    });
  });
}

if (!findTorch()) {
  log('PyTorch is needed to write the AdaIN weights as .pth (what svoc build reads); nothing measured');
  writeResult('build-engine', { skipped: 'no PyTorch' });
  process.exit(0);
}
// full-size random AdaIN weights in the official layouts (bench/torch_adain.py's networks)
const weights = runTorchJson(path.join(ROOT, 'bench/torch_adain_onnx.py'), ['--weights-only', '--out', work]);
const inputs = { ...(await makeInputs()), vgg: weights.vgg, decoder: weights.decoder };
const VARIANTS = {
  threads1: ['--threads', '1'],
  [`threads${CORES}`]: ['--threads', String(CORES)],
  [`workers${CORES}`]: ['--threads', '1', '--workers', String(CORES)],
};
const rounds = [];
for (let r = 0; r < ROUNDS; r++) {
  const row = { round: r + 1 };
  for (const [name, extra] of Object.entries(VARIANTS)) {
    log(`round ${r + 1}/${ROUNDS}: svoc build ${extra.join(' ')} (${IMAGES} images × ${TEXTURES} textures at ${SIZE}) …`);
    row[name] = await runBuild(path.join(work, `out-${name}`), extra, inputs);
    log(`  ${name}: ${row[name].totalSeconds} s`);
  }
  rounds.push(row);
}
const best = (name) => Math.min(...rounds.map((x) => x[name].totalSeconds));
const report = {
  images: IMAGES, textures: TEXTURES, size: SIZE, cores: CORES, rounds,
  bestTotalSeconds: Object.fromEntries(Object.keys(VARIANTS).map((n) => [n, best(n)])),
  // > 1: the workers are faster than one session with as many threads
  workersVsThreads: round(best(`threads${CORES}`) / best(`workers${CORES}`), 3),
};
log(`workers ${CORES} vs threads ${CORES}: ${report.workersVsThreads}× (total seconds, best of ${ROUNDS})`);
console.log(writeResult('build-engine', report));
