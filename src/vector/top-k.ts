/** A bounded selection of the k closest labels, for exact scans. */
import type { VectorHits } from '../engine/ports.js';

/**
 * Keeps the `k` best (distance, label) pairs seen so far in a max-heap whose root is the worst kept pair.
 *
 * @remarks Order is by distance, then by label ascending, so equal distances give deterministic results.
 */
export class TopK {
  readonly #k: number;
  readonly #labels: number[] = [];
  readonly #distances: number[] = [];

  constructor(k: number) {
    this.#k = Math.max(0, Math.floor(k));
  }

  /** Offers one candidate; it is kept when fewer than k are kept or it beats the worst kept one. */
  push(label: number, distance: number): void {
    if (this.#k === 0) return;
    const n = this.#labels.length;
    if (n < this.#k) {
      this.#labels.push(label);
      this.#distances.push(distance);
      this.#siftUp(n);
      return;
    }
    if (!isBefore(distance, label, this.#distances[0]!, this.#labels[0]!)) return;
    this.#labels[0] = label;
    this.#distances[0] = distance;
    this.#siftDown(0);
  }

  /** True once k pairs are kept. */
  get full(): boolean {
    return this.#labels.length >= this.#k;
  }

  /** The distance of the worst kept pair (Infinity while none is kept). */
  get worst(): number {
    return this.#distances[0] ?? Infinity;
  }

  /** The kept pairs sorted by ascending distance, ties by ascending label. */
  toHits(): VectorHits {
    const order = this.#labels.map((_, i) => i);
    order.sort((a, b) =>
      compare(this.#distances[a]!, this.#labels[a]!, this.#distances[b]!, this.#labels[b]!),
    );
    return { labels: order.map((i) => this.#labels[i]!), distances: order.map((i) => this.#distances[i]!) };
  }

  #siftUp(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#worse(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(index: number): void {
    const n = this.#labels.length;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < n && this.#worse(left, worst)) worst = left;
      if (right < n && this.#worse(right, worst)) worst = right;
      if (worst === i) return;
      this.#swap(i, worst);
      i = worst;
    }
  }

  #worse(a: number, b: number): boolean {
    return isBefore(this.#distances[b]!, this.#labels[b]!, this.#distances[a]!, this.#labels[a]!);
  }

  #swap(a: number, b: number): void {
    [this.#labels[a], this.#labels[b]] = [this.#labels[b]!, this.#labels[a]!];
    [this.#distances[a], this.#distances[b]] = [this.#distances[b]!, this.#distances[a]!];
  }
}

/** Orders (distance, label) pairs: by distance, then label. */
export function compare(da: number, la: number, db: number, lb: number): number {
  return da - db || la - lb;
}

function isBefore(da: number, la: number, db: number, lb: number): boolean {
  return da < db || (da === db && la < lb);
}
