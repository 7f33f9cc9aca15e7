import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 at this moment, for a server the benchmark starts. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
