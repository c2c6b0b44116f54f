/**
 * Plain text from the importer (Markdown already stripped), shown as written. Runs of lines that
 * are rows of a pipe table (`a | b | c`) become a real table, so severity and escalation matrices
 * written as tables stay readable. Everything is rendered as React text: nothing is parsed as HTML.
 */
type Block = { kind: 'text'; text: string } | { kind: 'table'; rows: string[][] };
type Line = { kind: 'line'; text: string } | { kind: 'bullets'; items: { text: string; depth: number }[] };

const BULLET = /^(\s*)[-*•]\s+(.*)$/;

/** Plain lines, with runs of `- item` lines gathered into lists (indentation kept as depth). */
function lines(text: string): Line[] {
  const out: Line[] = [];
  for (const line of text.split('\n')) {
    const m = BULLET.exec(line);
    const last = out[out.length - 1];
    if (m) {
      const item = { text: m[2] ?? '', depth: Math.min(3, Math.floor((m[1] ?? '').length / 2)) };
      if (last?.kind === 'bullets') last.items.push(item);
      else out.push({ kind: 'bullets', items: [item] });
    } else if (last?.kind === 'line') {
      last.text += `\n${line}`;
    } else {
      out.push({ kind: 'line', text: line });
    }
  }
  return out;
}

function TextBlock({ text }: { text: string }) {
  return (
    <>
      {lines(text).map((l, i) =>
        l.kind === 'line' ? (
          l.text.trim() ? <p key={i}>{l.text}</p> : null
        ) : (
          <ul key={i} className="prose-list">
            {l.items.map((item, j) => (
              <li key={j} style={item.depth ? { marginLeft: `${item.depth * 16}px` } : undefined}>
                {item.text}
              </li>
            ))}
          </ul>
        ),
      )}
    </>
  );
}

const cells = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => c.trim());

function blocks(text: string): Block[] {
  const out: Block[] = [];
  let textLines: string[] = [];
  let rows: string[][] = [];
  const flushText = () => {
    if (textLines.length) out.push({ kind: 'text', text: textLines.join('\n') });
    textLines = [];
  };
  const flushRows = () => {
    if (rows.length >= 2) out.push({ kind: 'table', rows });
    else textLines.push(...rows.map((r) => r.join(' | ')));
    rows = [];
  };
  for (const line of text.split('\n')) {
    const isRow = line.includes(' | ') && !/^\s*[-*]\s/.test(line);
    const width = rows[0]?.length;
    if (isRow && (width === undefined || cells(line).length === width)) {
      if (!rows.length) flushText();
      if (!/^[\s|:-]+$/.test(line)) rows.push(cells(line));
      continue;
    }
    if (rows.length) {
      flushRows();
      if (isRow) {
        flushText();
        rows.push(cells(line));
        continue;
      }
    }
    textLines.push(line);
  }
  flushRows();
  flushText();
  return out;
}

export function Prose({ text, className }: { text: string; className?: string }) {
  const parts = blocks(text.trim());
  return (
    <div className={`prose${className ? ` ${className}` : ''}`}>
      {parts.map((b, i) =>
        b.kind === 'text' ? (
          <TextBlock key={i} text={b.text} />
        ) : (
          <div key={i} className="table-scroll prose-table">
            <table className="table">
              <thead>
                <tr>
                  {b.rows[0]?.map((c, j) => (
                    <th key={j} scope="col">
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {b.rows.slice(1).map((r, j) => (
                  <tr key={j}>
                    {r.map((c, k) => (
                      <td key={k}>{c}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ),
      )}
    </div>
  );
}
