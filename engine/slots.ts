/**
 * Slots for requests in flight: a counting semaphore whose `acquire(n)` takes n slots at once, so that copies
 * sent at the same moment (concurrent duplicates) stay within the bound instead of slipping past it. Waiters are
 * served in order (a large request is not starved by small ones).
 */
export class Slots {
  private free: number;
  private readonly waiting: { count: number; resolve: () => void }[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`slots: size must be a whole number >= 1, got ${size}`);
    this.free = size;
  }

  /** Takes `count` slots (at most all of them), waiting in line; resolves with the number taken. */
  async acquire(count = 1): Promise<number> {
    const wanted = Math.min(Math.max(1, count), this.size);
    if (this.waiting.length === 0 && this.free >= wanted) {
      this.free -= wanted;
      return wanted;
    }
    await new Promise<void>((resolve) => this.waiting.push({ count: wanted, resolve }));
    return wanted;
  }

  release(count: number): void {
    this.free += count;
    while (this.waiting.length > 0 && this.free >= this.waiting[0]!.count) {
      const next = this.waiting.shift()!;
      this.free -= next.count;
      next.resolve();
    }
  }

  /** Drops every waiter (they never resolve): used when the run stops. */
  clear(): void {
    this.waiting.length = 0;
  }

  get inUse(): number {
    return this.size - this.free;
  }
}
