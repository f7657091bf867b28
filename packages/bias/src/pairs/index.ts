// Filled in by its own issue; the package index re-exports it.
export {};
