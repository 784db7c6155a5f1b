import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

/** Whether the operator can answer a question: stdin is a terminal. */
export function isInteractive(): boolean {
  return process.stdin.isTTY === true;
}

/**
 * Asks `question` on stderr and returns the line typed on stdin (trimmed). End of input or Ctrl-C
 * answers with an empty string, so a caller that needs a specific answer treats them as "no".
 * With `hideInput`, what is typed is not echoed (passwords).
 */
export async function ask(question: string, { hideInput = false } = {}): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer | string, encoding, callback) {
      if (!muted) process.stderr.write(chunk, encoding);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY === true });
  const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
  rl.once('SIGINT', () => rl.close());
  try {
    const answer = rl.question(question);
    // The prompt is written synchronously by question(); everything after it is what is typed.
    muted = hideInput;
    return (await Promise.race([answer.catch(() => ''), closed])).trim();
  } finally {
    rl.close();
    if (hideInput) process.stderr.write('\n');
  }
}

/**
 * The first line of stdin (trimmed), or an empty string when stdin ends without one. Reads no
 * further than that line, so a pipe may carry more.
 */
export async function readFirstLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  try {
    for await (const line of rl) return line.trim();
    return '';
  } finally {
    rl.close();
  }
}
