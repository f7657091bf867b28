import { expect, it } from 'vitest';
import { efficientnetSpecs } from '../../../packages/core/dist/zoo/efficientnet.js';
import { describeParity, loadFixture } from './others-parity.js';

const spec = (name: string) => efficientnetSpecs.find((s) => s.name === name)!;

describeParity('EfficientNet-B0', efficientnetSpecs, {
  cases: [{
    fixture: 'efficientnet_b0_small',
    arch: 'efficientnet_b0',
    what: 'efficientnet_b0 topology (width 0.1, 72x72 input): final = features.8 equals PyTorch',
    numClasses: 10,
  }],
  claims: 'claims the torchvision efficientnet_b0 layout only (not B1, MobileNets, ResNets, VGGs, DenseNets)',
  subject: { fixture: 'efficientnet_b0_small', arch: 'efficientnet_b0' },
  mismatch: {
    drop: 'features.6.2.block.2.fc2.bias',
    reshape: 'features.8.1.weight',
    error: /efficientnet_b0: missing keys: features\.6\.2\.block\.2\.fc2\.bias; unexpected keys: extra\.weight; shape mismatches: features\.8\.1\.weight expected \[128\] found \[129\]/,
  },
}, () => {
  it('a deeper (B1) layout is named in the error', async () => {
    const { sd, ref } = await loadFixture('efficientnet_b0_small');
    ref.input.dispose();
    const b1: Map<string, unknown> = new Map(sd);
    b1.set('features.1.1.block.0.0.weight', sd.get('features.1.0.block.0.0.weight'));
    expect(() => spec('efficientnet_b0').build(b1 as typeof sd)).toThrow(/blocks per stage \(1, 2, 2, 3, 3, 4, 1\) expected, found \(2, 2, 2, 3, 3, 4, 1\)/);
  });
});
