// Every session ID a walk has passed on, so that none is given twice even by a server
// that lists one in two places. A walk may pass hundreds of thousands: each ID is kept
// as one 52-bit hash (exact in a double), a few bytes apiece instead of a string. Two
// different IDs share a hash with a chance of about n²/2⁵³ (1 in 200,000 for a million
// sessions); a crafted collision makes the walk fail loudly, never skip.
export class SeenIds {
  private readonly ids = new Set<number>();

  /** Adds an ID; false when it was already there. */
  add(id: string): boolean {
    const key = hash52(id);
    if (this.ids.has(key)) return false;
    this.ids.add(key);
    return true;
  }
}

/** Two 32-bit FNV-1a hashes with different offsets, joined into 52 bits. */
function hash52(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
}
