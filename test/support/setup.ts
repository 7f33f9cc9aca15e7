import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testSigningKeyFile } from './app.js';

// The transparency log of every registry a test starts as a process (inheriting this environment): one test key,
// and a checkpoint file of its own per test file, never data/ in the checkout.
process.env.LOG_SIGNING_KEY_FILE = testSigningKeyFile();
process.env.LOG_CHECKPOINT_DIR = mkdtempSync(join(tmpdir(), 'lr_checkpoints_'));
