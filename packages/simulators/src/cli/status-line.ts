/**
 * Output for a long-running simulator: on a terminal, one status line redrawn in place with log
 * lines printed above it; elsewhere (a pipe, CI, a test) plain lines only and no status line.
 */

export interface StatusOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const CLEAR_LINE = '\r\x1b[2K';

export class StatusLine {
  private current = '';

  constructor(private readonly out: StatusOutput) {}

  /** Whether a live status line is drawn (a terminal); otherwise only `log` lines appear. */
  get live(): boolean {
    return this.out.isTTY === true;
  }

  /** Prints a line (above the status line on a terminal). */
  log(line: string): void {
    if (!this.live) {
      this.out.write(`${line}\n`);
      return;
    }
    this.out.write(`${CLEAR_LINE}${line}\n${this.current}`);
  }

  /** Redraws the status line; ignored when not on a terminal. */
  update(text: string): void {
    if (!this.live) return;
    // A pseudo-terminal without a size reports 0 columns.
    const columns = this.out.columns !== undefined && this.out.columns > 0 ? this.out.columns : 80;
    const width = Math.max(20, columns - 1);
    this.current = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    this.out.write(`${CLEAR_LINE}${this.current}`);
  }

  /** Removes the status line, leaving the cursor at the start of an empty line. */
  clear(): void {
    if (this.live && this.current !== '') this.out.write(CLEAR_LINE);
    this.current = '';
  }
}
