/**
 * Maps generated lines back to source lines through a v3 source map, so errors about code that
 * esbuild has already transformed (TypeScript → JavaScript) still name the line the user wrote.
 * @module
 */

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map<string, number>([...BASE64].map((c, i) => [c, i]));

/** Decodes the `mappings` field into, per generated line, `[generatedColumn, originalLine]` pairs. */
function decode(mappings: string): Array<Array<[number, number]>> {
  const lines: Array<Array<[number, number]>> = [];
  let originalLine = 0;
  for (const lineText of mappings.split(";")) {
    const segments: Array<[number, number]> = [];
    let column = 0;
    for (const segment of lineText.split(",")) {
      if (segment === "") continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = DIGIT.get(char) ?? 0;
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += fields[0] ?? 0;
      if (fields.length >= 4) {
        originalLine += fields[2]!;
        segments.push([column, originalLine]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

/** Returns `(line, column) → original line` (all 1-based lines, 0-based columns) for `mapJson`. */
export function lineMapper(mapJson: string | undefined): (line: number, column: number) => number {
  if (!mapJson) return (line) => line;
  let lines: Array<Array<[number, number]>>;
  try {
    lines = decode((JSON.parse(mapJson) as { mappings: string }).mappings);
  } catch {
    return (line) => line;
  }
  return (line, column) => {
    for (let l = line - 1; l >= 0; l--) {
      const segments = lines[l];
      if (!segments || segments.length === 0) continue;
      let best = segments[0]!;
      if (l === line - 1) for (const s of segments) if (s[0] <= column) best = s;
      return best[1] + 1;
    }
    return line;
  };
}
