/**
 * Numeric CSV files: a header row, then one row of numbers per sample. Every problem is
 * reported as `file:line:column`, with the column's name and the value found, the way a
 * compiler reports a syntax error, because a 50,000-line file is fixed in an editor.
 *
 * Accepted: a UTF-8 byte-order mark, CRLF, LF or CR line ends, blank lines (skipped), spaces
 * around cells (inside quotes too, for a number: `" 1 "` is 1), and double-quoted cells
 * ("a ""b"""). A quote opens a quoted cell only at the start of a cell; inside an unquoted cell
 * it is a literal character (`screen (in")`). A quoted column name may span lines (as
 * spreadsheets write a header cell with a line break); data cells are numbers, so a quote left
 * open on a data line is an error there.
 * Columns are 1-based character positions of the cell's first character.
 */
import { DataError } from '../errors.js';

export interface CsvTable {
  readonly file: string;
  readonly header: readonly string[];
  /** Row-major values, rows × header.length. */
  readonly values: Float64Array;
  readonly rows: number;
  /** The 1-based file line of each data row (for errors found later, e.g. in labels). */
  readonly lines: Int32Array;
  /** The 1-based file line of the header row (after any blank lines). */
  readonly headerLine: number;
}

/** The 1-based column where cell `j` of line `lineNo` of `text` starts, as parse errors give it. */
export function cellColumn(text: string, file: string, lineNo: number, j: number): number {
  const { cells } = splitRow(file, text.split(LINE_END), lineNo - 1, false);
  return cells[j]?.column ?? 1;
}

/** `file:line:column: message` as a DataError. */
export function csvError(file: string, line: number, column: number, message: string): DataError {
  return new DataError(`${file}:${line}:${column}: ${message}`);
}

interface Cell {
  text: string;
  /** Where the cell starts in the file, 1-based (a header cell after a quoted line break is on a later line). */
  line: number;
  column: number;
}

/** CRLF, LF, or a lone CR (old Mac files) end a line. */
const LINE_END = /\r\n|\r|\n/;

/** At most `max` characters of `s` for an error message, JSON-quoted, with … when cut. */
export function excerpt(s: string, max = 40): string {
  return s.length > max ? `${JSON.stringify(s.slice(0, max))}…` : JSON.stringify(s);
}

/** A column name as errors show it: at most 60 characters (a quoted name may be long). */
export function shownName(name: string): string {
  return name.length > 60 ? `${name.slice(0, 60)}…` : name;
}

/** Column names as errors list them: the first 12, then how many there are. */
export function shownNames(header: readonly string[]): string {
  const shown = header.slice(0, 12).map(shownName).join(', ');
  return header.length > 12 ? `${shown}, … (${header.length} columns)` : shown;
}

/**
 * Split the row starting at `lines[l]` (0-based) into cells with their 1-based positions in the file.
 * A quote opens a quoted cell only at the start of a cell (after any spaces); anywhere else it is
 * a literal character (`in"` is an inch mark), as RFC 4180 readers such as Python's csv module and
 * pandas read it. With `span`, a quoted cell that reaches the end of a line continues on the next
 * (joined by LF); otherwise, or at the end of the file, it is an error where the quote opened.
 * Each character is looked at once, so a quote left open in a header is found in linear time.
 * Returns the cells and the index of the row's last line.
 */
function splitRow(file: string, lines: readonly string[], l: number, span: boolean): { cells: Cell[]; last: number } {
  let line = lines[l] ?? '';
  const cells: Cell[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    const cellLine = l + 1;
    const column = i + 1;
    let text = '';
    if (line[i] === '"') {
      let from = ++i;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          if (!span || l + 1 >= lines.length) {
            const opened = lines[cellLine - 1].slice(column - 1);
            throw csvError(file, cellLine, column, `unterminated quoted cell: a quote opens here and never closes (${excerpt(opened, 20)})`);
          }
          text += `${line.slice(from)}\n`;
          line = lines[++l];
          i = from = 0;
          continue;
        }
        text += line.slice(from, q);
        if (line[q + 1] === '"') {
          text += '"';
          i = from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== ',') throw csvError(file, l + 1, i + 1, `unexpected ${JSON.stringify(line[i])} after a quoted cell`);
    } else {
      const end = line.indexOf(',', i);
      text = (end < 0 ? line.slice(i) : line.slice(i, end)).trim();
      i = end < 0 ? line.length : end;
    }
    cells.push({ text, line: cellLine, column });
    if (i >= line.length) return { cells, last: l };
    i++; // the comma
  }
}

/**
 * The text of a CSV file's bytes, which must be UTF-8 (or ASCII). UTF-16, as Excel's "Unicode
 * text" writes it, is refused before parsing, by its byte-order mark or by NUL bytes (its ASCII
 * characters are a byte and a NUL), which would otherwise show up as garbled cells.
 */
export function csvText(bytes: Uint8Array, file: string): string {
  const bom = bytes[0] === 0xff && bytes[1] === 0xfe ? 'FF FE, UTF-16 little-endian' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'FE FF, UTF-16 big-endian' : '';
  const resave = 're-save it as UTF-8 (in Excel: "CSV UTF-8"), or convert it with iconv -f UTF-16 -t UTF-8';
  if (bom) throw new DataError(`${file}: not UTF-8 text: it starts with the byte-order mark ${bom}; ${resave}`);
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new DataError(`${file}: not UTF-8 text: byte ${nul} (0-based) is NUL (0x00), which looks like UTF-16; ${resave}`);
  return new TextDecoder().decode(bytes);
}

/** A decimal number: `12`, `-0.5`, `.5`, `1e-3`. Not `0x10`, `Infinity`, `NaN` or an empty cell. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parse CSV text (named `file` in errors) into a numeric table. */
export function parseCsv(text: string, file: string): CsvTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(LINE_END);
  let headerLine = 0;
  while (headerLine < lines.length && lines[headerLine].trim() === '') headerLine++;
  if (headerLine >= lines.length) throw csvError(file, 1, 1, 'the file is empty; expected a header row of column names, then rows of numbers');
  // A quoted name may hold a line break (spreadsheets write such headers): the header then ends on a later line.
  const { cells: headerCells, last: headerEnd } = splitRow(file, lines, headerLine, true);
  const header = headerCells.map((c) => c.text);
  headerCells.forEach((c, j) => {
    if (c.text === '') throw csvError(file, c.line, c.column, `header column ${j + 1} has no name`);
    const first = header.indexOf(c.text);
    if (first !== j) throw csvError(file, c.line, c.column, `column name "${shownName(c.text)}" appears twice (columns ${first + 1} and ${j + 1})`);
  });
  // A first row of numbers only is data, not names: taking it as the header would drop it silently.
  if (headerCells.every((c) => NUMBER.test(c.text.trim()))) {
    throw csvError(file, headerLine + 1, 1, `the first row (${shownNames(header)}) is all numbers: the file needs a header row of column names before the data`);
  }
  const width = header.length;
  const values: number[] = [];
  const rowLines: number[] = [];
  for (let l = headerEnd + 1; l < lines.length; l++) {
    const line = lines[l];
    if (line.trim() === '') continue;
    const lineNo = l + 1;
    const { cells } = splitRow(file, lines, l, false);
    if (cells.length !== width) {
      const where = cells.length > width ? cells[width].column : line.length + 1;
      throw csvError(file, lineNo, where, `ragged row: expected ${width} cells (${shownNames(header)}), got ${cells.length}`);
    }
    cells.forEach((c, j) => {
      // Spaces inside quotes are spaces around the number too (Python's float(" 1 ") is 1.0), as outside them.
      const number = c.text.trim();
      if (number === '') throw csvError(file, lineNo, c.column, `missing value in column "${shownName(header[j])}"`);
      if (!NUMBER.test(number)) throw csvError(file, lineNo, c.column, `column "${shownName(header[j])}": expected a number, got ${excerpt(c.text)}`);
      const v = Number(number);
      if (!Number.isFinite(v)) throw csvError(file, lineNo, c.column, `column "${shownName(header[j])}": ${excerpt(c.text)} is too large to be a finite number`);
      values.push(v);
    });
    rowLines.push(lineNo);
  }
  if (rowLines.length === 0) throw csvError(file, headerEnd + 2, 1, `no data rows: the file has a header (${shownNames(header)}) and nothing after it`);
  return { file, header, values: Float64Array.from(values), rows: rowLines.length, lines: Int32Array.from(rowLines), headerLine: headerLine + 1 };
}
