import type { EntityManager, EntityTarget, ObjectLiteral, ValueTransformer } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';

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
  const values = columns.map(valueOf);
  for (let i = 0; i < entities.length; i += perStatement) {
    const chunk = entities.slice(i, i + perStatement);
    const params: unknown[] = [];
    const rows = chunk.map((entity) => {
      const marks = values.map((get) => {
        let value = get(entity);
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

/**
 * How a column's value is read from an entity, as TypeORM's `getEntityValue(entity, true)` reads it: a plain column
 * (not embedded, not a relation's) directly, through its one value transformer if it has one; any other through
 * TypeORM. Reading each value through TypeORM cost a tenth of a large import.
 */
function valueOf(c: ColumnMetadata): (entity: ObjectLiteral) => unknown {
  if (c.embeddedMetadata || c.relationMetadata || c.referencedColumn || Array.isArray(c.transformer)) return (entity) => c.getEntityValue(entity, true);
  const property = c.propertyName;
  const transformer = c.transformer as ValueTransformer | undefined;
  return transformer ? (entity) => transformer.to(entity[property]) : (entity) => entity[property];
}
