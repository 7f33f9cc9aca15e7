// Every migration, in order. An explicit list (no glob) works the same from src, dist and the tests.
import { RegistryCore1764400000000 } from './1764400000000-RegistryCore.js';

export const migrations = [RegistryCore1764400000000];
