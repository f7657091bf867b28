/** Library version, recorded in manifests and run.json. Kept equal to the packages' version. */
export const VERSION = '0.1.0';
