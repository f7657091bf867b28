/**
 * `svoc build` and `svoc cue-conflict` take the engine options of every command that runs a
 * network: a bad `--device` or `--threads` is a usage error (exit 2) naming the option, before
 * any input is read; a device of the onnx backend asked of a TF.js backend likewise.
 */
import { describe, expect, it } from 'vitest';
import { svoc } from '../../e2e/helpers.js';

const base = ['--voc', '/nonexistent/voc', '--vgg', 'v.pth', '--decoder', 'd.pth', '--out', '/nonexistent/out'];

describe('svoc engine options', () => {
  for (const cmd of ['build', 'cue-conflict']) {
    it(`${cmd}: --device and --threads are checked, naming the option`, async () => {
      const cases: [string[], RegExp][] = [
        [['--device', 'tpu'], /--device must be one of cpu, cuda, tensorrt, webgpu, got "tpu"/],
        [['--threads', '0'], /--threads must be an integer ≥ 1, got "0"/],
      ];
      for (const [args, message] of cases) {
        const r = await svoc([cmd, ...base, ...args]);
        expect(r.status, args.join(' ')).toBe(2);
        expect(r.stderr).toMatch(message);
      }
      const help = await svoc([cmd, '--help']);
      expect(help.stdout).toMatch(/--device <name>\s+ONNX Runtime device/);
      expect(help.stdout).toMatch(/--threads <n>/);
    });
  }
});
