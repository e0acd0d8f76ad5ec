/** A response body read up to a cap: a flooding or endless target never fills memory or hangs the run. */

/** Reads up to the cap; at the cap (or when the deadline aborts the stream) the rest is dropped. */
export async function readCapped(stream: AsyncIterable<Buffer> & { destroy(error?: Error): unknown }, maxBytes: number): Promise<{ body: Buffer; bytes: number; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      const room = maxBytes - bytes;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      bytes += Math.min(chunk.length, room);
      if (chunk.length >= room) {
        stream.destroy();
        return { body: Buffer.concat(chunks), bytes, truncated: true };
      }
    }
  } catch {
    // The deadline (or the peer) ended the body early: keep what arrived.
    return { body: Buffer.concat(chunks), bytes, truncated: true };
  }
  return { body: Buffer.concat(chunks), bytes, truncated: false };
}
