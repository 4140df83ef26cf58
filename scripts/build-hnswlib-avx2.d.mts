/** See build-hnswlib-avx2.mjs. */
export function patchFloat32Input(source: string): string | null;
export function patchExactDistances(source: string): string | null;
export function patchInt8Dots(source: string): string | null;
