import { describe, expect, it } from 'vitest';
import {
  ARCHITECTURES, UnknownArchitectureError, buildNetwork, createModel, detectArchitecture, listArchitectures,
} from '@shapetex/core';
import { layouts } from './others-parity.js';
import { RESNET_FIXTURES, loadResnetFixture, resnetLayouts } from './resnet-fixtures.js';

const CNN = [
  'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'wide_resnet50_2', 'resnet18k',
  'densenet121', 'densenet161', 'densenet169', 'densenet201', 'mobilenet_v2', 'efficientnet_b0', 'vgg16', 'vgg16_bn',
];
// detected on their own fixtures and key layouts in resnet-cifar.test.ts
const CIFAR_RESNETS = ['resnet20', 'resnet32', 'resnet44', 'resnet56', 'resnet110', 'resnet1202'];
// detected on their own layouts in vit.test.ts and convnext.test.ts
const TRANSFORMERS_AND_CONVNEXT = [
  'vit_b_16', 'vit_b_32', 'vit_l_16',
  'vit_tiny_patch16_224', 'vit_small_patch16_224', 'vit_base_patch16_224',
  'deit_tiny_patch16_224', 'deit_small_patch16_224', 'deit_base_patch16_224',
  'deit_tiny_distilled_patch16_224', 'deit_small_distilled_patch16_224', 'deit_base_distilled_patch16_224',
  'convnext_tiny', 'convnext_small',
];

describe('architecture registry and detection', () => {
  it('lists every architecture of the issue once', () => {
    expect([...listArchitectures()].sort()).toEqual([...CNN, ...CIFAR_RESNETS, ...TRANSFORMERS_AND_CONVNEXT].sort());
    expect(new Set(ARCHITECTURES.map((s) => s.name)).size).toBe(ARCHITECTURES.length);
  });

  it('detects every full-size torchvision / PreAct layout as its own name, from keys and shapes alone', () => {
    const seen = new Set<string>();
    for (const [layout, sd] of Object.entries({ ...layouts(), ...resnetLayouts() })) {
      const own = layout.replace(/_small$/, '').replace(/_nobn$/, '');
      if (CNN.includes(own)) {
        expect(detectArchitecture(sd), layout).toBe(own);
        // exactly one spec claims it
        expect(ARCHITECTURES.filter((s) => s.match(sd) > 0).map((s) => s.name), layout).toEqual([own]);
        seen.add(own);
      } else {
        // VGG19, VGG11-BN, EfficientNet-B1, MobileNetV3, wide_resnet101_2, ResNeXt-50
        expect(() => detectArchitecture(sd), layout).toThrow(UnknownArchitectureError);
      }
    }
    expect([...seen].sort()).toEqual([...CNN].sort());
  });

  it('detects the narrowed ResNet fixtures (wide vs plain bottleneck by width ratio, 18 vs 34 by depth)', async () => {
    for (const [fixture, arch] of RESNET_FIXTURES) {
      const { sd } = await loadResnetFixture(fixture);
      expect(detectArchitecture(sd), fixture).toBe(arch);
    }
  });

  it('an unfit state_dict and an unknown name give errors that say what to do', () => {
    const sd = new Map([['encoder.weight', { dtype: 'float32' as const, shape: [2, 2], data: new Float32Array(4) }]]);
    expect(() => detectArchitecture(sd)).toThrow(/state_dict: no known architecture fits this state_dict \(first keys: encoder\.weight\); pass --arch \/ \{ arch \} with one of: resnet18, /);
    expect(() => createModel('resnet19', sd)).toThrow(UnknownArchitectureError);
    expect(() => buildNetwork('resnet19', sd, {}, 'ckpt.pth')).toThrow(/ckpt\.pth: unknown architecture "resnet19"; known: resnet18, resnet34/);
  });
});
