/**
 * nvidia-smi's CSV rows (`--format=csv,noheader,nounits`): one row per line, values separated by
 * `, ` and never quoted. A process name can itself contain `, `, so a row with more separators
 * than fields gives the extra pieces back to its one free-text field.
 */

/** The rows of `stdout`, each split into exactly `fieldCount` trimmed values; short rows are dropped. */
export function parseRows(stdout: string, fieldCount: number, textField: number): string[][] {
  const rows: string[][] = [];
  for (const line of stdout.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const parts = line.split(', ');
    if (parts.length < fieldCount) continue;
    const extra = parts.length - fieldCount;
    const row = [
      ...parts.slice(0, textField),
      parts.slice(textField, textField + extra + 1).join(', '),
      ...parts.slice(textField + extra + 1),
    ];
    rows.push(row.map((value) => value.trim()));
  }
  return rows;
}
