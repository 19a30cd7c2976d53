/**
 * A long list answer cut into runs of records, each parsed on its own. Parsed whole, an answer of 100 000 keys
 * is one tree of ~100 MB that outlives the young generation and stays until a full garbage collection, on top
 * of the keys made from it; parsed a run at a time, each run's tree dies young, and the host gets a turn of
 * its event loop between runs.
 *
 * Cuts are looked for cheaply (a `},{` after at least `sliceChars` characters) and proven by the parse: a run
 * that starts between two records and parses as a list of values ends between two records too, since it was
 * read exactly as the whole answer would be. A cut that fell inside a string or a record makes its run fail
 * to parse; the caller then parses the whole answer instead. Only the contract's shape, `{"api_keys": [...]}`
 * and nothing else, is cut; any other answer is left to the whole parse (and its checks).
 */

/**
 * Runs of about this many characters (a couple of hundred records): a run's text, once made flat for parsing,
 * stays below V8's size for large objects, which go straight to the old generation; so it dies young too.
 */
export const SLICE_CHARS = 64 * 1024;

/** JSON's own whitespace only: `\s` would also pass a byte order mark, which JSON.parse refuses. */
const HEAD = /^[ \t\n\r]*\{[ \t\n\r]*"api_keys"[ \t\n\r]*:[ \t\n\r]*\[/;
const TAIL = /\][ \t\n\r]*\}[ \t\n\r]*$/;

/**
 * The texts of JSON lists (`[…]`) that hold, one after the other, the records of the answer's `api_keys`;
 * undefined when the answer is not of that shape (or is short enough to parse whole). The answer is its text,
 * or its UTF-8 bytes (then no text of the whole answer is ever made: the bytes looked for are ASCII, which never
 * occur inside a multi-byte character). Each run's text is made when it is asked for, so that only one is alive
 * at a time.
 */
export function keyListSlices(answer: string | Buffer, sliceChars = SLICE_CHARS): Iterable<string> | undefined {
  const runs = keyListRuns(answer, sliceChars);
  return runs && slicesOf(answer, runs);
}

/** Where the records of `{"api_keys": [...]}` lie, between the brackets; undefined for any other shape. */
function recordsSpan(source: Source): { start: number; end: number } | undefined {
  // Both ends are looked at in their last few characters only: a pattern anchored at the end of a long text
  // would be tried from every position. What they match is ASCII: as many bytes as characters.
  const head = HEAD.exec(source.text(0, 64));
  const tail = TAIL.exec(source.text(Math.max(0, source.length - 64), source.length));
  if (!head || !tail) return undefined;
  const start = head[0].length;
  const end = source.length - tail[0].length;
  return end < start ? undefined : { start, end };
}

interface Source {
  readonly length: number;
  indexOf(text: string, from: number): number;
  text(from: number, to: number): string;
}

function textSource(text: string): Source {
  return { length: text.length, indexOf: (search, from) => text.indexOf(search, from), text: (from, to) => text.slice(from, to) };
}

function bytesSource(bytes: Buffer): Source {
  return {
    length: bytes.length,
    indexOf: (search, from) => bytes.indexOf(search, from),
    text: (from, to) => bytes.toString('utf8', from, to),
  };
}

/** Where a run of records lies in an answer's text: `[from, until)`, without the brackets its slice gets. */
export interface RecordRun {
  readonly from: number;
  readonly until: number;
}

/**
 * The runs `keyListSlices` would cut an answer into, as positions: undefined when it would not cut it. A run
 * is only known to be whole records once its slice has parsed, or once it is the very same text as a run that
 * has, starting where a run ends.
 */
export function keyListRuns(answer: string | Buffer, sliceChars = SLICE_CHARS): RecordRun[] | undefined {
  if (answer.length <= sliceChars) return undefined;
  const source = typeof answer === 'string' ? textSource(answer) : bytesSource(answer);
  const span = recordsSpan(source);
  return span && [...runsBetween(source, span.start, span.end, sliceChars)];
}

function* runsBetween(source: Source, start: number, end: number, sliceChars: number): Generator<RecordRun> {
  for (let from = start; from < end;) {
    const cut = source.indexOf('},{', from + sliceChars);
    const until = cut === -1 || cut + 1 >= end ? end : cut + 1;
    yield { from, until };
    from = until + 1; // past the comma
  }
}

/** A run's records as the text of a JSON list. */
export function runText(answer: string | Buffer, { from, until }: RecordRun): string {
  return `[${typeof answer === 'string' ? answer.slice(from, until) : answer.toString('utf8', from, until)}]`;
}

/** Whether two runs, each of its answer, are the very same text (bytes). */
export function sameRunText(answer: string | Buffer, run: RecordRun, other: string | Buffer, otherRun: RecordRun): boolean {
  if (run.until - run.from !== otherRun.until - otherRun.from) return false;
  if (typeof answer === 'string' || typeof other === 'string')
    return (
      typeof answer === 'string' &&
      typeof other === 'string' &&
      answer.slice(run.from, run.until) === other.slice(otherRun.from, otherRun.until)
    );
  return answer.compare(other, otherRun.from, otherRun.until, run.from, run.until) === 0;
}

function* slicesOf(answer: string | Buffer, runs: readonly RecordRun[]): Generator<string> {
  for (const run of runs) yield runText(answer, run);
}
