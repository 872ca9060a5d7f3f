/** The protobuf varint encoding of a non-negative integer, for tests that write wire bytes by hand. */
export function varint (n: number): number[] {
  const out: number[] = []
  while (n >= 128) {
    out.push((n & 127) | 128)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return out
}
