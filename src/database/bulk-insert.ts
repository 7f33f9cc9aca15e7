import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Inserts many entities with multi-row INSERT statements written from the entity's metadata (column names,
 * value transformers), skipping TypeORM's per-value query-builder work, which dominated large imports.
 * Rows per statement stay under both engines' parameter limits.
 */
export async function bulkInsert<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, entities: T[]): Promise<void> {
  if (!entities.length) return;
  const metadata = m.connection.getMetadata(target);
  const columns = metadata.columns.filter((c) => !c.isVirtual);
  const postgres = m.connection.options.type === 'postgres';
  const perStatement = Math.max(1, Math.floor(30_000 / columns.length));
  const names = columns.map((c) => `"${c.databaseName}"`).join(', ');
  for (let i = 0; i < entities.length; i += perStatement) {
    const chunk = entities.slice(i, i + perStatement);
    const params: unknown[] = [];
    const rows = chunk.map((entity) => {
      const marks = columns.map((c) => {
        let value = c.getEntityValue(entity, true);
        if (value === undefined) value = null;
        else if (typeof value === 'object' && value !== null && !(value instanceof Date) && !Buffer.isBuffer(value)) value = JSON.stringify(value);
        params.push(value);
        return postgres ? `$${params.length}` : '?';
      });
      return `(${marks.join(', ')})`;
    });
    await m.query(`INSERT INTO "${metadata.tableName}" (${names}) VALUES ${rows.join(', ')}`, params);
  }
}
