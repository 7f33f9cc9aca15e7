import 'reflect-metadata';
import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { configureApp, createAdapter, NEST_APP_OPTIONS } from './app.setup.js';
import type { RegistryConfig } from './config/config.js';

/** Creates and initialises the registry application (not yet listening). */
export async function createApp(config: RegistryConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), createAdapter(config), {
    ...NEST_APP_OPTIONS,
    abortOnError: false,
    // JSON lines, like Fastify's request logs, so one log pipeline reads both.
    logger: config.logLevel === 'silent' ? false : new RegistryLogger({ json: true, logLevels: nestLogLevels(config.logLevel) }),
  });
  await configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** Nest's own start-up lines: every module loaded and every route mapped (some fifty lines). */
const START_UP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** Nest's logger, with its start-up lines at debug: at the default level the start prints the registry's one line. */
class RegistryLogger extends ConsoleLogger {
  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    if (typeof context === 'string' && START_UP_CONTEXTS.has(context)) super.debug(message, ...rest);
    else super.log(message, ...rest);
  }
}

function nestLogLevels(level: RegistryConfig['logLevel']): LogLevel[] {
  const order: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  const upTo = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5, silent: -1 }[level];
  return order.slice(0, upTo + 1);
}
