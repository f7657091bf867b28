import { existsSync, readdirSync } from 'node:fs';
import { BackendUnavailableError } from './errors.js';

/** Adapters that are software rasterisers, not GPUs: never chosen for speed. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i;

/**
 * WebGPU through Dawn (the `webgpu` npm package: Vulkan, Metal or D3D12). `navigator.gpu` must
 * exist before `@tensorflow/tfjs-backend-webgpu` is imported, so it is set here first.
 */
export async function loadWebgpu(): Promise<{ device: string; accelerated: boolean }> {
  // Dawn prints its adapter-probing failures straight to the process's stderr, so on a Linux
  // machine with no GPU device node at all it is not even started: `auto` stays quiet there.
  if (process.platform === 'linux' && !hasLinuxGpuNode()) {
    throw new BackendUnavailableError('webgpu', 'no GPU device on this machine (no /dev/dri/renderD*, /dev/nvidia* or /dev/dxg), so no hardware WebGPU adapter');
  }
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (!g.navigator?.gpu) {
    let dawn: { create: (flags: string[]) => unknown; globals: Record<string, unknown> };
    try {
      dawn = (await import('webgpu' as string)) as typeof dawn;
    } catch (err) {
      throw new BackendUnavailableError(
        'webgpu',
        `the optional 'webgpu' package does not load (${(err as Error).message.split('\n')[0]}); install it with \`npm i webgpu\``,
      );
    }
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    else Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  }
  const gpu = g.navigator!.gpu as { requestAdapter: (o?: unknown) => Promise<GpuAdapterLike | null> };
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new BackendUnavailableError('webgpu', 'no WebGPU adapter found (needs a GPU with a Vulkan, Metal or D3D12 driver)');
  const info = adapter.info ?? {};
  const label = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ').trim() || 'unknown adapter';
  if (adapter.isFallbackAdapter || SOFTWARE.test(label) || info.type === 'CPU') {
    throw new BackendUnavailableError('webgpu', `only a software adapter was found (${label}), not a GPU`);
  }
  try {
    await import('@tensorflow/tfjs-backend-webgpu' as string);
  } catch (err) {
    throw new BackendUnavailableError(
      'webgpu',
      `'@tensorflow/tfjs-backend-webgpu' does not load (${(err as Error).message.split('\n')[0]}); install it with \`npm i @tensorflow/tfjs-backend-webgpu\``,
    );
  }
  return { device: `${label} (webgpu)`, accelerated: true };
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; type?: string };
}

export function hasLinuxGpuNode(): boolean {
  if (existsSync('/dev/dxg')) return true; // WSL2's GPU paravirtualisation
  const listed = (dir: string, re: RegExp): boolean => {
    try {
      return readdirSync(dir).some((n) => re.test(n));
    } catch {
      return false;
    }
  };
  return listed('/dev', /^nvidia\d+$/) || listed('/dev/dri', /^renderD\d+$/);
}
