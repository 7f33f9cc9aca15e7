import { query } from '../../common/html.js';
import { Layout } from './layout.js';
import { type PageContext, wordsOf } from './page-context.js';

/** The latest signed checkpoint, as the page shows it. */
export interface LogCheckpoint {
  size: number;
  /** base64, as in the note. */
  rootHash: string;
  /** The C2SP signed note, as GET /public/v1/log/checkpoint serves it. */
  note: string;
}

export interface LogProps {
  ctx: PageContext;
  /** null until the first checkpoint is issued. */
  checkpoint: LogCheckpoint | null;
  verifierKey: string;
}

/** How an outside body runs the witness (the CLI of this software; see src/cli/witness.ts). */
export const WITNESS_COMMAND = 'npm run cli -- log:witness --url https://<registry> --state <dir>';

const API = '/public/v1/log';

/**
 * What the transparency log proves and what it does not reveal, the current checkpoint, the key, the public
 * routes and the witness. Machine text (hashes, the note, the key, routes, the command) is left to right in both
 * languages.
 */
export function LogPage({ ctx, checkpoint, verifierKey }: LogProps) {
  const { t, f } = wordsOf(ctx);
  const size = checkpoint?.size;
  const routes = [
    { path: `${API}/checkpoint`, href: `${API}/checkpoint`, text: t.log.endpoints.checkpoint },
    { path: `${API}/key`, href: `${API}/key`, text: t.log.endpoints.key },
    { path: `${API}/proofs/inclusion?index=…&treeSize=…`, href: size ? `${API}/proofs/inclusion${query({ index: 0, treeSize: size })}` : undefined, text: t.log.endpoints.inclusion },
    { path: `${API}/proofs/consistency?from=…&to=…`, href: size ? `${API}/proofs/consistency${query({ from: 1, to: size })}` : undefined, text: t.log.endpoints.consistency },
  ];
  return (
    <Layout ctx={ctx} title={t.log.title}>
      <h1>{t.log.title}</h1>
      <p>{t.log.intro}</p>
      <h2>{t.log.provesTitle}</h2>
      {t.log.proves.map((text) => (
        <p>{text}</p>
      ))}
      <h2>{t.log.hiddenTitle}</h2>
      <p>{t.log.hidden}</p>
      <section aria-labelledby="checkpoint">
        <h2 id="checkpoint">{t.log.checkpointTitle}</h2>
        {checkpoint ? (
          <>
            <dl class="facts">
              <div>
                <dt>{t.log.treeSize}</dt>
                <dd class="tree-size">{f.number(checkpoint.size)}</dd>
              </div>
              <div class="wide">
                <dt>{t.log.rootHash}</dt>
                <dd>
                  <code dir="ltr">{checkpoint.rootHash}</code>
                </dd>
              </div>
            </dl>
            <p>{t.log.note}</p>
            <pre class="note" dir="ltr">
              <code>{checkpoint.note.replace(/\n$/, '')}</code>
            </pre>
          </>
        ) : (
          <p role="status">{t.log.noCheckpoint}</p>
        )}
      </section>
      <h2>{t.log.keyTitle}</h2>
      <p>{t.log.key}</p>
      <pre dir="ltr">
        <code>{verifierKey}</code>
      </pre>
      <h2>{t.log.machinesTitle}</h2>
      <ul class="routes">
        {routes.map((r) => (
          <li>
            <bdi dir="ltr">
              <code>GET </code>
              {r.href ? (
                <a href={r.href}>
                  <code>{r.path}</code>
                </a>
              ) : (
                <code>{r.path}</code>
              )}
            </bdi>
            {t.separator}
            {r.text}
          </li>
        ))}
      </ul>
      <h2>{t.log.witnessTitle}</h2>
      <p>{t.log.witness}</p>
      <pre dir="ltr">
        <code>{WITNESS_COMMAND}</code>
      </pre>
    </Layout>
  );
}
