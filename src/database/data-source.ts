// The data source for the TypeORM CLI (`npx typeorm -d dist/src/database/data-source.js migration:show`).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/config.js';
import { buildDataSourceOptions } from './data-source.options.js';

export default new DataSource(buildDataSourceOptions(loadConfig().database));
