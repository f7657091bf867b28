import { expect, it } from 'vitest';
import { densenetSpecs } from '../../../packages/core/dist/zoo/densenet.js';
import { describeParity, loadFixture } from './others-parity.js';

const spec = (name: string) => densenetSpecs.find((s) => s.name === name)!;

describeParity('DenseNet', densenetSpecs, {
  cases: [{
    fixture: 'densenet_small',
    arch: 'densenet121',
    what: 'densenet121 topology (growth 4, bottleneck 12, stem 10): final = ReLU(norm5) equals PyTorch',
    numClasses: 10,
  }],
  claims: 'each name claims its block config only: full-size torchvision layouts and growth-4 config-shaped ones',
  subject: { fixture: 'densenet_small', arch: 'densenet121' },
  mismatch: {
    drop: 'features.denseblock2.denselayer3.norm2.running_var',
    reshape: 'features.norm5.weight',
    error: /densenet121: missing keys: features\.denseblock2\.denselayer3\.norm2\.running_var; unexpected keys: extra\.weight; shape mismatches: features\.norm5\.weight expected \[128\] found \[129\]/,
  },
}, () => {
  it('another depth built on the densenet121 fixture names both block configs', async () => {
    const { sd, ref } = await loadFixture('densenet_small');
    ref.input.dispose();
    expect(() => spec('densenet169').build(sd)).toThrow(/densenet169: dense block config \(6, 12, 32, 32\) expected, found \(6, 12, 24, 16\)/);
  });
});
