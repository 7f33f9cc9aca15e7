import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { configureApp, createAdapter } from './app.setup.js';
import type { RegistryConfig } from './config/config.js';

/** Creates and initialises the registry application (not yet listening). */
export async function createApp(config: RegistryConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), createAdapter(config), {
    abortOnError: false,
    logger: config.logLevel === 'silent' ? false : ['error', 'warn', 'log'],
  });
  configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
