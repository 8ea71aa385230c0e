/**
 * Reading secrets and answers for `marquee user`. A password never comes from the command line
 * (it would sit in shell history and in every `ps` listing): it is the first line of stdin when
 * stdin is a pipe or a file, and typed without echo when stdin is a terminal.
 */
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { MarqueeError } from '@marquee/sdk';

/** The process's streams, injected so tests and embedders can drive the command. */
export interface CliIo {
  readonly stdin: Readable & { readonly isTTY?: boolean; setRawMode?(mode: boolean): unknown };
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/**
 * The most stdin is read for one line: a password is at most 1024 characters (the API's limit),
 * so anything longer is not a password line and is refused without buffering more.
 */
const MAX_LINE_BYTES = 8192;

/** True when answers can be asked for (stdin is a terminal). */
export const interactive = (io: CliIo): boolean => io.stdin.isTTY === true;

/**
 * A secret: typed without echo after `prompt` on a terminal, else the first line of stdin;
 * `source` says what it is for ("for --password-stdin"), in the error when stdin holds none.
 */
export function readSecret(io: CliIo, prompt: string, source: string): Promise<string> {
  return interactive(io) ? promptHidden(io, prompt) : firstLine(io.stdin, source);
}

/** A yes/no question on the terminal; anything but y or yes (or Ctrl+C, or end of input) is no. */
export async function confirm(io: CliIo, question: string): Promise<boolean> {
  const lines = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return await new Promise<boolean>((resolve) => {
      lines.once('SIGINT', () => resolve(false));
      lines.once('close', () => resolve(false));
      lines.question(question).then(
        (answer) => resolve(/^y(es)?$/i.test(answer.trim())),
        () => resolve(false),
      );
    });
  } finally {
    lines.close();
  }
}

async function firstLine(input: Readable, source: string): Promise<string> {
  input.setEncoding('utf8');
  let text = '';
  for await (const chunk of input as AsyncIterable<string>) {
    text += chunk;
    const end = text.indexOf('\n');
    if (end >= 0) {
      text = text.slice(0, end);
      break;
    }
    if (Buffer.byteLength(text) > MAX_LINE_BYTES) {
      throw new MarqueeError(
        'BAD_REQUEST',
        `The first line of stdin is too long to be a password ${source}`,
      );
    }
  }
  const line = text.replace(/\r$/, '');
  if (line === '') {
    throw new MarqueeError('BAD_REQUEST', `No password on the first line of stdin ${source}`);
  }
  return line;
}

function promptHidden(io: CliIo, prompt: string): Promise<string> {
  const { stdin, stderr } = io;
  // Echo goes off before the prompt shows, or keys typed at once could still be echoed.
  stdin.setRawMode?.(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  stderr.write(prompt);
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new MarqueeError('BAD_REQUEST', 'Cancelled'));
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else if (char >= ' ' && value.length < MAX_LINE_BYTES) value += char;
      }
    };
    stdin.on('data', onData);
  });
}
