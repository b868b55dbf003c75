/**
 * A small streaming RFC 4180 reader: comma-separated, fields optionally in double quotes (a quote
 * inside written twice, commas and line breaks allowed inside), CRLF or LF line ends, a UTF-8 BOM
 * ignored. Each record carries the line it starts on, for refusals that name it.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export async function* csvRecords(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let recordLine = 1;
  let first = true;
  let pendingCr = false;

  const endRecord = (): CsvRecord | undefined => {
    fields.push(field);
    const record = { line: recordLine, fields };
    field = '';
    fields = [];
    afterQuote = false;
    // A blank line is no record.
    return record.fields.length === 1 && record.fields[0] === '' ? undefined : record;
  };

  for await (let chunk of chunks) {
    if (first) {
      chunk = chunk.replace(/^\uFEFF/, '');
      first = false;
    }
    for (const char of chunk) {
      if (pendingCr) {
        pendingCr = false;
        if (char === '\n') continue;
      }
      if (quoted) {
        if (char === '"') {
          quoted = false;
          afterQuote = true;
        } else {
          if (char === '\n') line++;
          field += char;
        }
        continue;
      }
      if (char === '"') {
        // `""` inside a quoted field is one quote; a quote opens a field only at its start.
        if (afterQuote) field += '"';
        if (afterQuote || field === '') quoted = true;
        else field += char;
        afterQuote = false;
      } else if (char === ',') {
        fields.push(field);
        field = '';
        afterQuote = false;
      } else if (char === '\n' || char === '\r') {
        pendingCr = char === '\r';
        const record = endRecord();
        line++;
        recordLine = line;
        if (record) yield record;
      } else {
        field += char;
        afterQuote = false;
      }
    }
  }
  if (field !== '' || fields.length > 0) {
    const record = endRecord();
    if (record) yield record;
  }
}
