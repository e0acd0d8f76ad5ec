/**
 * The event_ts values a run has taken (every delivery of a run gets its own). A fuzz run takes one per delivery for
 * as long as it runs, so the set is compact: an open-addressing hash table of 32-bit offsets from an origin (about
 * 5 to 11 bytes per value, where a `Set` of numbers takes about 37), with a plain `Set` for the rare value more than
 * 24 days away from the origin.
 */

/** Offsets are stored plus one (0 marks an empty slot); this many either side of the origin fit. */
const REACH = 2 ** 31 - 1;

export class TakenTimestamps {
  private slots = new Uint32Array(1024);
  private count = 0;
  private readonly far = new Set<number>();
  /**
   * For a value `claim` was asked for and found taken: where its run of taken values ends (every value from it up to
   * the hint is taken). A lifecycle claims the same few values again on every occurrence, so without it each claim
   * would step through every value earlier occurrences took, ever longer as a fuzz goes on.
   */
  private readonly runEnds = new Map<number, number>();

  /** `origin`: where the values cluster (a run's clock start). */
  constructor(private readonly origin: number) {}

  has(value: number): boolean {
    const stored = this.stored(value);
    if (stored === undefined) return this.far.has(value);
    return this.slots[this.find(stored)] === stored;
  }

  add(value: number): void {
    const stored = this.stored(value);
    if (stored === undefined) {
      this.far.add(value);
      return;
    }
    const at = this.find(stored);
    if (this.slots[at] === stored) return;
    this.slots[at] = stored;
    this.count++;
    if (this.count * 4 > this.slots.length * 3) this.grow();
  }

  /** Takes and gives the smallest value not taken yet from `candidate` up (integers step by one). */
  claim(candidate: number): number {
    let value = this.runEnds.get(candidate) ?? candidate;
    while (this.has(value)) value++;
    this.add(value);
    // Values are never given back: everything from the candidate up to this one is taken from now on.
    if (value !== candidate) this.runEnds.set(candidate, value + 1);
    return value;
  }

  get size(): number {
    return this.count + this.far.size;
  }

  /** The value as stored in a slot, or undefined when it does not fit (not an integer, or too far from the origin). */
  private stored(value: number): number | undefined {
    const offset = value - this.origin;
    return Number.isInteger(offset) && offset >= -REACH && offset <= REACH ? offset + REACH + 1 : undefined;
  }

  /** The slot holding `stored`, or the empty slot where it goes (linear probing from its hash). */
  private find(stored: number): number {
    const mask = this.slots.length - 1;
    let at = mix(stored) & mask;
    while (this.slots[at] !== 0 && this.slots[at] !== stored) at = (at + 1) & mask;
    return at;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (const stored of old) if (stored !== 0) this.slots[this.find(stored)] = stored;
  }
}

/** A 32-bit integer mixed so that its low bits depend on all of it (murmur3's finalizer). */
function mix(value: number): number {
  let hash = value ^ (value >>> 16);
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}
