import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators.js';
import { HealthCheck, type HealthCheckResult, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { TransparencyLog } from '../audit/log/transparency-log.js';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly log: TransparencyLog,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({
    summary: 'Liveness and database check: 200 when the database answers, 503 otherwise',
    description:
      'details.transparencyLog is `degraded` (still 200: the register is served) while the registry refuses to sign checkpoints, with the reason ' +
      '(a changed past, a damaged tree: docs/transparency-log.md); `up` while it signs.',
  })
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 3000 }),
      () => {
        const session = this.indicators.check('transparencyLog');
        return this.log.refused ? session.degraded({ signing: false, problem: this.log.refused }) : session.up({ signing: true });
      },
    ]);
  }
}
