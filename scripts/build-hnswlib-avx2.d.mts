/** See build-hnswlib-avx2.mjs. */
export function patchFloat32Input(source: string): string | null;
