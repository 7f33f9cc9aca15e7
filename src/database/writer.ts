import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { buildDataSourceOptions, sharesOneConnection } from './data-source.options.js';

/**
 * Injection token of the writer data source: the connection(s) of the write transactions and the migrations
 * (see ConnectionRole in data-source.options.ts). Only database/transactions.ts uses it; everything else reads
 * through TypeORM's default data source, the reader.
 */
export const WRITER = Symbol('WRITER');

/** Opens the writer and brings the schema up to date; a database in memory has one connection for both. */
export const writerProvider: Provider = {
  provide: WRITER,
  inject: [getDataSourceToken(), REGISTRY_CONFIG],
  useFactory: async (reader: DataSource, config: RegistryConfig): Promise<DataSource> => {
    const writer = sharesOneConnection(config.database) ? reader : await new DataSource(buildDataSourceOptions(config.database, 'writer')).initialize();
    try {
      await writer.runMigrations();
    } catch (e) {
      if (writer !== reader) await writer.destroy();
      throw e;
    }
    return writer;
  },
};

/** Closes the writer when the application stops (TypeORM's module closes the reader). */
@Injectable()
export class WriterShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(WRITER) private readonly writer: DataSource,
    private readonly reader: DataSource,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.writer !== this.reader && this.writer.isInitialized) await this.writer.destroy();
  }
}
