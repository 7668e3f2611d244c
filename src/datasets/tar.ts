import { open } from 'node:fs/promises';

/**
 * Lists the entry names of a tar file by reading only its 512-byte headers
 * and seeking over the contents, so a multi-gigabyte dataset costs a few
 * reads, not a full scan (headers that lie close together, as those of small
 * files do, come 64 KiB at a time). Handles ustar prefixes, GNU long names (L) and pax
 * path records (x). Throws TarError when the file is not a tar.
 */
export class TarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarError';
  }
}

const BLOCK = 512;

function field(buf: Buffer, start: number, length: number): string {
  const slice = buf.subarray(start, start + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end === -1 ? length : end).toString('utf8');
}

function octal(buf: Buffer, start: number, length: number): number {
  // GNU base-256 for sizes >= 8 GiB: high bit set in the first byte.
  if ((buf[start]! & 0x80) !== 0) {
    let v = 0;
    for (let i = start + 1; i < start + length; i++) v = v * 256 + buf[i]!;
    return v;
  }
  const s = field(buf, start, length).trim();
  if (!/^[0-7]*$/.test(s)) throw new TarError('bad octal number in header');
  return s ? parseInt(s, 8) : 0;
}

function checksumOk(header: Buffer): boolean {
  const stored = octal(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  return sum === stored;
}

function paxPath(data: string): string | undefined {
  // Records: "<len> <key>=<value>\n"; <len> counts bytes, so the text arrives as latin1 (one char per byte).
  let rest = data;
  let found: string | undefined;
  while (rest.length > 0) {
    const sp = rest.indexOf(' ');
    const len = parseInt(rest.slice(0, sp), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = rest.slice(sp + 1, len - 1);
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') found = Buffer.from(record.slice(eq + 1), 'latin1').toString('utf8');
    rest = rest.slice(len);
  }
  return found;
}

/** Bytes read at once: the headers of small entries (a dataset's chunks) come a few in each read. */
const WINDOW = 64 * 1024;

export async function listTarEntries(file: string, maxEntries = 1_000_000): Promise<string[]> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const names: string[] = [];
    const window = Buffer.alloc(WINDOW);
    let windowStart = 0;
    let windowEnd = 0; // nothing read yet
    let pos = 0;
    let longName: string | undefined;
    while (pos + BLOCK <= size && names.length < maxEntries) {
      if (pos < windowStart || pos + BLOCK > windowEnd) {
        const { bytesRead } = await fh.read(window, 0, WINDOW, pos);
        windowStart = pos;
        windowEnd = pos + bytesRead;
        if (bytesRead < BLOCK) break; // the file shrank under us
      }
      const header = window.subarray(pos - windowStart, pos - windowStart + BLOCK);
      if (header.every((b) => b === 0)) break; // end-of-archive marker
      if (!checksumOk(header)) throw new TarError('bad header checksum');
      const type = String.fromCharCode(header[156]!);
      const entrySize = octal(header, 124, 12);
      const dataStart = pos + BLOCK;
      pos = dataStart + Math.ceil(entrySize / BLOCK) * BLOCK;
      if (type === 'L' || type === 'x') {
        if (entrySize > 1024 * 1024) throw new TarError('oversized extended header');
        const data = Buffer.alloc(entrySize);
        await fh.read(data, 0, entrySize, dataStart);
        longName = type === 'L' ? field(data, 0, entrySize) : (paxPath(data.toString('latin1')) ?? longName);
        continue;
      }
      if (type === 'g' || type === 'K') continue; // pax global header; GNU long link target (not an entry)
      const magic = field(header, 257, 6);
      const prefix = magic === 'ustar' ? field(header, 345, 155) : ''; // POSIX "ustar\0" only: old GNU "ustar " keeps atime/ctime there
      const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
      longName = undefined;
      names.push(name);
    }
    if (size > 0 && size < BLOCK) throw new TarError('not a tar file'); // shorter than one header; a zero-filled file is an empty archive
    return names;
  } finally {
    await fh.close();
  }
}
