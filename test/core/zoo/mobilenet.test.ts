import { mobilenetSpecs } from '../../../packages/core/dist/zoo/mobilenet.js';
import { describeParity } from './others-parity.js';

describeParity('MobileNetV2', mobilenetSpecs, {
  cases: [{
    fixture: 'mobilenet_v2_small',
    arch: 'mobilenet_v2',
    what: 'mobilenet_v2 topology (width 0.1, 72x72 input): final = features.18 equals PyTorch',
    numClasses: 4,
  }],
  claims: 'claims the torchvision mobilenet_v2 layout only (not MobileNetV3, EfficientNets, ResNets, VGGs, DenseNets)',
  subject: { fixture: 'mobilenet_v2_small', arch: 'mobilenet_v2' },
  mismatch: {
    drop: 'features.7.conv.1.1.running_mean',
    reshape: 'classifier.1.bias',
    error: /mobilenet_v2: missing keys: features\.7\.conv\.1\.1\.running_mean; unexpected keys: extra\.weight; shape mismatches: classifier\.1\.bias expected \[4\] found \[5\]/,
  },
});
