/**
 * glibc's allocator settings for a run over many checkpoints on ONNX Runtime. Each checkpoint's
 * session lays its weights out anew (the initializers copied in, every filter reordered to the
 * NCHWc layout); with glibc's defaults those blocks are unmapped, or trimmed off the heap, when
 * the previous checkpoint's session goes, so the next one page-faults them all in again: most of
 * a session's set-up for a ResNet-18 at 32 px, and the part that varies most. Fixing the mmap
 * threshold at its 32 MiB ceiling and letting up to 256 MiB of freed heap stay mapped makes the
 * next session reuse those pages. glibc reads GLIBC_TUNABLES only when a process starts, so this
 * belongs to a process's environment (the Slurm scripts, a shell, a notebook's kernel); a running
 * process cannot take it up. Other C libraries (musl, macOS, Windows) ignore the variable.
 */
export const RETAIN_MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456';
