// Entry point of `npm run cli -- <command>`; the commands are in commands.ts.
import { createInterface } from 'node:readline/promises';
import { ConfigError, loadConfig } from '../config/config.js';
import { ProblemException } from '../common/problem.js';
import { runCli } from './commands.js';
import { tuneRuntime } from '../runtime.js';

/** Reads a secret: the whole of stdin when piped, else a prompt whose echo is hidden. */
async function readSecret(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    let data = '';
    for await (const chunk of process.stdin) data += chunk;
    return data.replace(/\r?\n$/, '');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => write(s.startsWith(prompt) ? prompt : '');
  try {
    return await rl.question(prompt);
  } finally {
    rl.close();
    process.stdout.write('\n');
  }
}

tuneRuntime();
try {
  const code = await runCli(process.argv.slice(2), loadConfig(), {
    out: (line) => console.log(line),
    write: (text) => process.stdout.write(text),
    err: (line) => console.error(line),
    readSecret,
  });
  process.exit(code);
} catch (e) {
  if (e instanceof ConfigError) console.error(e.message);
  else if (e instanceof ProblemException) console.error(`Refused: ${e.detail}${e.errors ? ` (${e.errors.map((x) => `${x.field}: ${x.message}`).join('; ')})` : ''}`);
  else console.error(`Failed: ${(e as Error).message}`);
  process.exit(1);
}

