import { isAscii } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';

/**
 * The encoding a charset label names (its WHATWG name: `Windows-1252`, `latin1` and `iso-8859-1` all name
 * `windows-1252`, as browsers read them), when CSV files in it can be read; undefined for a label the platform
 * does not know, and for ISO-2022-JP, whose two-byte letters use the bytes of commas and quotes.
 */
export function csvEncoding(label: string): string | undefined {
  let encoding: string;
  try {
    encoding = new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
  return encoding === 'iso-2022-jp' ? undefined : encoding;
}

/** Byte order marks and the encodings they name. */
const BOMS: readonly [Buffer, string][] = [
  [Buffer.from([0xef, 0xbb, 0xbf]), 'utf-8'],
  [Buffer.from([0xff, 0xfe]), 'utf-16le'],
  [Buffer.from([0xfe, 0xff]), 'utf-16be'],
];
/** Put where a UTF-16 file has a lone surrogate: a byte that is not UTF-8 either. */
const NOT_UTF8 = Buffer.from([0xff]);
/** A byte that is not ASCII, in a cell as the parser hands it (one character per byte). */
const NOT_ASCII = /[\x80-\xff]/;

/**
 * Decodes a CSV file strictly, in two steps around the parser. First its bytes, on their way to the parser: a byte
 * order mark is taken off and names the encoding (it wins over a declared charset, as in browsers); UTF-16 is
 * re-encoded as UTF-8, so that commas, quotes and line ends are single bytes as in every other encoding read.
 * Then each cell the parser hands on ('latin1': one character per byte) is decoded with `fatal` in the file's
 * encoding and normalised to NFC (decodeRecord): bytes that are not valid there are found in their own cell.
 * While every byte so far is ASCII, cells are taken as they are (ASCII reads the same in every encoding read,
 * and is NFC).
 */
export class CsvDecoder extends Transform {
  /** The file's encoding (WHATWG name), once its first bytes are read. */
  encoding: string;
  private ascii = true;
  /** The first bytes, until they show whether the file starts with a byte order mark. */
  private head: Buffer | undefined = Buffer.alloc(0);
  private utf16?: Utf16;
  private cells?: TextDecoder;

  /** `charset`: the file's encoding as declared (csvEncoding), UTF-8 when none is. */
  constructor(charset = 'utf-8') {
    super();
    this.encoding = charset;
  }

  /**
   * Decodes the cells of a record in place: returns the index of the first one whose bytes are not valid in the
   * file's encoding (the cells from there on are left as they were), or -1.
   */
  decodeRecord(values: string[]): number {
    if (this.ascii) return -1;
    this.cells ??= new TextDecoder(this.utf16 ? 'utf-8' : this.encoding, { fatal: true, ignoreBOM: true });
    for (let i = 0; i < values.length; i++) {
      if (!NOT_ASCII.test(values[i])) continue;
      try {
        values[i] = this.cells.decode(Buffer.from(values[i], 'latin1')).normalize('NFC');
      } catch {
        return i;
      }
    }
    return -1;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.head) {
      chunk = Buffer.concat([this.head, chunk]);
      if (chunk.length < 3) {
        this.head = chunk;
        return done();
      }
      chunk = this.start(chunk);
    }
    done(null, this.convert(chunk));
  }

  override _flush(done: TransformCallback): void {
    if (this.head) this.push(this.convert(this.start(this.head)));
    if (this.utf16) this.push(this.pass(this.utf16.decode()));
    done();
  }

  private start(head: Buffer): Buffer {
    this.head = undefined;
    const bom = BOMS.find(([mark]) => head.subarray(0, mark.length).equals(mark));
    if (bom) this.encoding = bom[1];
    if (this.encoding === 'utf-16le' || this.encoding === 'utf-16be') this.utf16 = new Utf16(this.encoding);
    return bom ? head.subarray(bom[0].length) : head;
  }

  private convert(bytes: Buffer): Buffer {
    return this.pass(this.utf16 ? this.utf16.decode(bytes) : bytes);
  }

  private pass(bytes: Buffer): Buffer {
    if (this.ascii && !isAscii(bytes)) this.ascii = false;
    return bytes;
  }
}

/**
 * UTF-16 to UTF-8, streaming. The decoder does not stop at a lone surrogate (it puts U+FFFD, one code unit for
 * one), so its output lines up with the input unit for unit: a U+FFFD where the input has none is the first fault,
 * passed on as NOT_UTF8.
 */
class Utf16 {
  private readonly decoder: TextDecoder;
  /** The input the decoder holds back (an odd byte, a surrogate waiting for its pair). */
  private held = Buffer.alloc(0);
  private faulted = false;

  constructor(private readonly encoding: 'utf-16le' | 'utf-16be') {
    this.decoder = new TextDecoder(encoding, { ignoreBOM: true });
  }

  /** The UTF-8 of the next chunk; without one, of what is left at the end. */
  decode(chunk?: Buffer): Buffer {
    const input = chunk ? Buffer.concat([this.held, chunk]) : this.held;
    const text = chunk ? this.decoder.decode(chunk, { stream: true }) : this.decoder.decode();
    this.held = input.subarray(2 * text.length);
    for (let i = this.faulted ? -1 : text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) {
      if (2 * i + 2 <= input.length && this.unit(input, i) === 0xfffd) continue;
      this.faulted = true;
      return Buffer.concat([Buffer.from(text.slice(0, i)), NOT_UTF8, Buffer.from(text.slice(i + 1))]);
    }
    return Buffer.from(text);
  }

  private unit(input: Buffer, index: number): number {
    return this.encoding === 'utf-16le' ? input.readUInt16LE(2 * index) : input.readUInt16BE(2 * index);
  }
}
