/** The console pages' files by path under `assets/` (see console-assets-edge.js). */
export declare const EDGE_ASSETS: Record<string, string>;
