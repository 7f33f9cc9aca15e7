import { collectStartupGarbage, tuneRuntime } from './runtime.js';
import { startRegistry } from './start.js';

tuneRuntime();
const app = await startRegistry();
if (!app) process.exit(1);
collectStartupGarbage();
