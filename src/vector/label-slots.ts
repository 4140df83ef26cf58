/** Dense slot numbering of labels, for vector stores that keep one row per live label in a flat array. */

/** Where a removal needs the last row moved: from slot `from` into the freed slot `to`. */
export interface SlotMove {
  from: number;
  to: number;
}

/**
 * Maps labels to dense slots 0..size-1; removal moves the last label into the freed slot, so rows stay packed.
 *
 * @remarks The owner keeps the row data and applies the {@link SlotMove} that {@link remove} returns.
 */
export class LabelSlots {
  #labels: number[] = [];
  #slots = new Map<number, number>();

  get size(): number {
    return this.#labels.length;
  }

  has(label: number): boolean {
    return this.#slots.has(label);
  }

  slotOf(label: number): number | undefined {
    return this.#slots.get(label);
  }

  labelAt(slot: number): number {
    return this.#labels[slot]!;
  }

  /** The live labels in slot order (shared: do not mutate). */
  labels(): readonly number[] {
    return this.#labels;
  }

  /** The slot of `label`, appending a new one (at `size`) when it has none. */
  assign(label: number): number {
    let slot = this.#slots.get(label);
    if (slot === undefined) {
      slot = this.#labels.length;
      this.#labels.push(label);
      this.#slots.set(label, slot);
    }
    return slot;
  }

  /** Frees a label's slot; returns the row move the owner must make, or null when none (or the label is unknown). */
  remove(label: number): SlotMove | null {
    const slot = this.#slots.get(label);
    if (slot === undefined) return null;
    const last = this.#labels.length - 1;
    let move: SlotMove | null = null;
    if (slot !== last) {
      const moved = this.#labels[last]!;
      this.#labels[slot] = moved;
      this.#slots.set(moved, slot);
      move = { from: last, to: slot };
    }
    this.#labels.pop();
    this.#slots.delete(label);
    return move;
  }

  clear(): void {
    this.#labels = [];
    this.#slots = new Map();
  }
}
