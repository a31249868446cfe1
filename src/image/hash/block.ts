// What MD5 and SHA-512 share: feeding bytes in fixed-size blocks to a compression function,
// however the stream's chunks cut them.

export abstract class BlockHash {
  protected readonly block: Uint8Array;
  /** Bytes waiting in `block`. */
  protected used = 0;
  /** Bytes hashed so far; exact up to 2^53. */
  protected length = 0;

  constructor(private readonly blockSize: number) {
    this.block = new Uint8Array(blockSize);
  }

  protected abstract compress(buf: Uint8Array, off: number): void;

  update(data: Uint8Array): this {
    const size = this.blockSize;
    let i = 0;
    this.length += data.length;
    if (this.used > 0) {
      const take = Math.min(size - this.used, data.length);
      this.block.set(data.subarray(0, take), this.used);
      this.used += take;
      i = take;
      if (this.used < size) return this;
      this.compress(this.block, 0);
      this.used = 0;
    }
    for (; i + size <= data.length; i += size) this.compress(data, i);
    if (i < data.length) {
      this.block.set(data.subarray(i), 0);
      this.used = data.length - i;
    }
    return this;
  }
}
