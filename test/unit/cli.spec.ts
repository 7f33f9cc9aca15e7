import { testLogEnv } from '../support/app.js';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/commands.js';
import { loadConfig } from '../../src/config/config.js';

/** The CLI explains itself: a list of commands, a help with an example per command, usage errors exit 2. */
describe('npm run cli', () => {
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const code = await runCli(argv, loadConfig({ DATABASE_URL: 'sqlite:/nonexistent/never-opened.sqlite', LOG_LEVEL: 'silent', ...testLogEnv() }), {
      out: (l) => out.push(l),
      write: (t) => out.push(t),
      err: (l) => out.push(l),
      readSecret: async () => '',
    });
    return { code, text: out.join('\n') };
  };

  it('--help lists every command', async () => {
    const { code, text } = await run('--help');
    expect(code).toBe(0);
    for (const command of ['migration:run', 'migration:show', 'seed', 'create-admin', 'audit:verify', 'backup', 'restore', 'openapi', 'import', 'report:verify-rollup', 'report', 'proposals:lapse', 'obligations:create']) {
      expect(text, command).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
  });

  it.each([['backup'], ['restore'], ['create-admin'], ['import', 'shipments'], ['report', 'exports'], ['audit:verify']])('%s --help describes it with an example', async (...command) => {
    const { code, text } = await run(...command, '--help');
    expect(code).toBe(0);
    expect(text).toContain('Example:');
    expect(text).toContain(`$ npm run cli -- ${command.join(' ')}`);
  });

  it.each([
    [['nonsense'], /unknown command/],
    [['backup'], /--to/],
    [['import', 'shipments'], /missing required argument/],
    [['import', 'shipments', 'x.csv', '--mode', 'later'], /--mode/],
    [['create-admin', '--email', 'not-an-email'], /not an e-mail address/],
    [['report', 'exports', '--planet', 'mars'], /unknown option/],
    [['report', 'exports', '--group-by', 'planet'], /groupBy/],
  ])('%j: the usage and exit 2', async (argv, message) => {
    const { code, text } = await run(...argv);
    expect(code).toBe(2);
    expect(text).toMatch(message);
    expect(text).toMatch(/Usage:|--help/);
  });
});
