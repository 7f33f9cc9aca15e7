import { Global, Module } from '@nestjs/common';
import { IdempotencyStore } from './idempotency-store.js';

/** The Idempotency-Key store, for every module whose creating POSTs are @Idempotent and for imports. */
@Global()
@Module({ providers: [IdempotencyStore], exports: [IdempotencyStore] })
export class IdempotencyModule {}
