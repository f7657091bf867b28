import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointName, compareCheckpoints, discoverCheckpoints, naturalCompare, resolveEpoch } from '@shapetex/bias';

describe('resolveEpoch on real-world checkpoint names', () => {
  // Names as torchvision, timm, PyTorch Lightning, the ImageNet reference scripts and common
  // training repositories write them; the digits of an architecture or a hash are never an epoch.
  it.each([
    ['resnet18_small.pth', null, 'none'],
    ['resnet50-0676ba61.pth', null, 'none'],
    ['resnet18-f37072fd.pth', null, 'none'],
    ['vgg16_bn-6c64b313.pth', null, 'none'],
    ['efficientnet_b0_rwightman-7f5810bc.pth', null, 'none'],
    ['densenet121-a639ec97.pth', null, 'none'],
    ['mobilenet_v2-b0353104.pth', null, 'none'],
    ['checkpoint_epoch_12.pth', 12, 'after-epoch'],
    ['epoch=7-step=1000.ckpt', 7, 'after-epoch'],
    ['lightning_logs/version_0/checkpoints/epoch=19-step=3900.ckpt', 19, 'after-epoch'],
    ['model_best.pth.tar', null, 'none'],
    ['ckpt_e042.pt', 42, 'after-ep'],
    ['net_100.pth', 100, 'last-integer'],
    ['vgg16_bn_ep3.pth', 3, 'after-ep'],
    ['efficientnet_b0_epoch0005.pth', 5, 'after-epoch'],
    ['resnet18_epoch_best.pth', null, 'none'],
    ['resnet34_ep-7.pt', 7, 'after-ep'],
    ['wrn28_10_e2e_final.pth', 10, 'last-integer'],
    ['run_20231201.pth', null, 'none'],
    ['step3000.pt', null, 'none'],
    ['checkpoint-3.pth.tar', 3, 'last-integer'],
    ['resnet18k_w64_1000epochs.pth', 1000, 'before-epoch'],
  ])('%s → %s (%s)', (name, epoch, source) => {
    expect(resolveEpoch(name)).toEqual({ epoch, source });
  });

  it('model_best.pth.tar takes its own epoch entry; an architecture name with one keeps it', () => {
    expect(resolveEpoch('model_best.pth.tar', 89)).toEqual({ epoch: 89, source: 'entry' });
    expect(resolveEpoch('resnet18_small.pth', 4)).toEqual({ epoch: 4, source: 'entry' });
  });
});

describe('resolveEpoch (the rules in order)', () => {
  it.each([
    ['IN_resnet18_epoch0042_cifar10_ln20pc_seed42.pth', 42, 'after-epoch'],
    ['ckpt_epoch=7.ckpt', 7, 'after-epoch'],
    ['model_epoch_7.pt', 7, 'after-epoch'],
    ['Epoch-12.pth.tar', 12, 'after-epoch'],
    ['resnet18k_1000epochs_seed3.pth', 1000, 'before-epoch'],
    ['run_30_epoch.pt', 30, 'before-epoch'],
    ['checkpoint_0017.pth', 17, 'last-integer'],
    ['run3/ckpt-5-of-9.bin', 9, 'last-integer'],
    ['epoch_0003/model.json', 3, 'after-epoch'],
    ['epoch_7/weights.pth', 7, 'after-epoch'],
    ['final.pth', null, 'none'],
  ])('%s → %s', (name, epoch, source) => {
    expect(resolveEpoch(name)).toEqual({ epoch, source });
  });

  it('takes the checkpoint\'s own epoch entry before the last integer, but after the name rules', () => {
    expect(resolveEpoch('resnet18_seed42.pth', 77)).toEqual({ epoch: 77, source: 'entry' });
    expect(resolveEpoch('final.pth', 5)).toEqual({ epoch: 5, source: 'entry' });
    expect(resolveEpoch('x_epoch3.pth', 77)).toEqual({ epoch: 3, source: 'after-epoch' });
    expect(resolveEpoch('x_50epochs.pth', 77)).toEqual({ epoch: 50, source: 'before-epoch' });
    // a non-integer or negative entry is no entry
    expect(resolveEpoch('run_8.pth', 2.5)).toEqual({ epoch: 8, source: 'last-integer' });
    expect(resolveEpoch('run_8.pth', null)).toEqual({ epoch: 8, source: 'last-integer' });
  });

  it('names a TF.js model by its folder', () => {
    expect(checkpointName('a/epoch_0003/model.json')).toBe('epoch_0003');
    expect(checkpointName('a/b/IN_epoch0001.pth.tar')).toBe('IN_epoch0001');
  });
});

describe('order', () => {
  it('compares names naturally, digit runs by value', () => {
    const names = ['ep10.pth', 'ep2.pth', 'ep1.pth', 'ep02.pth', 'a.pth', 'ep1b.pth', 'ep100000000000000000001.pth', 'ep99999999999999999999.pth'];
    expect([...names].sort(naturalCompare)).toEqual([
      'a.pth', 'ep1.pth', 'ep1b.pth', 'ep02.pth', 'ep2.pth', 'ep10.pth', 'ep99999999999999999999.pth', 'ep100000000000000000001.pth',
    ]);
  });

  it('orders by epoch, then naturally by name, no-epoch checkpoints last', () => {
    const items = [
      { epoch: null, checkpoint: 'z.pth' }, { epoch: 10, checkpoint: 'b10.pth' }, { epoch: 2, checkpoint: 'x/run_epoch2.pth' },
      { epoch: 2, checkpoint: 'a/run_epoch2.pth' }, { epoch: null, checkpoint: 'best.pth' }, { epoch: 9, checkpoint: 'c9.pth' },
    ];
    expect(items.sort(compareCheckpoints).map((i) => i.checkpoint)).toEqual(['a/run_epoch2.pth', 'x/run_epoch2.pth', 'c9.pth', 'b10.pth', 'best.pth', 'z.pth']);
  });
});

describe('discoverCheckpoints', () => {
  it('finds the default extensions and model.json, skips TF.js shards and hidden files, keeps no-epoch files', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'shapetex-discover-'));
    const files = [
      'IN_resnet18_epoch0010_cifar10.pth', 'IN_resnet18_epoch0002_cifar10.pth', 'w_1000epochs.safetensors',
      'sub/ckpt_epoch=5.ckpt', 'final.pth', 'notes.txt', '.final.pth.123.0.tmp',
      'tfjs/epoch_0003/model.json', 'tfjs/epoch_0003/group1-shard1of1.bin', 'hf/pytorch_model.bin', 'last.tar',
    ];
    for (const f of files) {
      await mkdir(path.dirname(path.join(root, f)), { recursive: true });
      await writeFile(path.join(root, f), 'x');
    }
    const seen: string[] = [];
    const { checkpoints } = await discoverCheckpoints(root, {
      readEpochEntry: async (file) => {
        seen.push(path.relative(root, file));
        return path.basename(file) === 'last.tar' ? 4 : null;
      },
    });
    expect(checkpoints.map((c) => [c.checkpoint, c.epoch, c.epochSource])).toEqual([
      ['IN_resnet18_epoch0002_cifar10.pth', 2, 'after-epoch'],
      ['tfjs/epoch_0003/model.json', 3, 'after-epoch'],
      ['last.tar', 4, 'entry'],
      ['sub/ckpt_epoch=5.ckpt', 5, 'after-epoch'],
      ['IN_resnet18_epoch0010_cifar10.pth', 10, 'after-epoch'],
      ['w_1000epochs.safetensors', 1000, 'before-epoch'],
      ['final.pth', null, 'none'],
      ['hf/pytorch_model.bin', null, 'none'],
    ]);
    // the entry is read only where the name rules give nothing
    expect(seen.sort()).toEqual(['final.pth', 'hf/pytorch_model.bin', 'last.tar']);
    expect(checkpoints[0]!.path).toBe(path.join(root, 'IN_resnet18_epoch0002_cifar10.pth'));
  });

  it('takes a single file as a folder of one, and names a missing input', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'shapetex-discover-'));
    await writeFile(path.join(root, 'm_epoch4.pt'), 'x');
    const one = await discoverCheckpoints(path.join(root, 'm_epoch4.pt'));
    expect(one.root).toBe(root);
    expect(one.checkpoints.map((c) => [c.checkpoint, c.epoch])).toEqual([['m_epoch4.pt', 4]]);
    await expect(discoverCheckpoints(path.join(root, 'nope'))).rejects.toThrow(/nope: not found/);
  });
});
