/** A response body read up to a cap: a flooding or endless target never fills memory or hangs the run. */

export interface CappedBody {
  body: Buffer;
  /** Bytes kept (up to the cap). */
  bytes: number;
  /** Cut at the cap, or ended early (the deadline, or the peer). */
  truncated: boolean;
}

/** Keeps the chunks of a body as they come, up to the cap. */
export class BodyUpToCap {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Keeps what fits of the chunk; true once the cap is reached (the rest is to be dropped). */
  add(chunk: Buffer): boolean {
    const room = this.maxBytes - this.bytes;
    this.chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    this.bytes += Math.min(chunk.length, room);
    return chunk.length >= room;
  }

  /** The body kept, in a buffer of its own (a chunk may be a view into a larger read buffer, which is not kept alive). */
  result(truncated: boolean): CappedBody {
    return { body: Buffer.concat(this.chunks), bytes: this.bytes, truncated };
  }
}

/** Response headers by lower-case name (absent ones left out), as exchanges record them. */
export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}
