import { Controller, Get, Header, Query, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/auth.decorators.js';
import { ApiProblems } from '../../common/openapi.js';
import { ProblemException } from '../../common/problem.js';
import { PublicThrottlerGuard } from '../../common/throttling.js';
import { ConsistencyProofDto, ConsistencyProofQuery, InclusionProofDto, InclusionProofQuery, LogKeyDto } from './log.dto.js';
import { TransparencyLog } from './transparency-log.js';

/**
 * The public side of the transparency log (docs/transparency-log.md). It reveals hashes only: the events
 * themselves stay with staff.
 */
@ApiTags('transparency log')
@Public()
@UseGuards(PublicThrottlerGuard)
@Controller('public/v1/log')
export class LogController {
  constructor(private readonly log: TransparencyLog) {}

  @Get('checkpoint')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @ApiOperation({ summary: 'The latest signed checkpoint: a C2SP signed note of <origin>, <tree size>, <base64 root hash>' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'A signed note', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiProblems(404, 429)
  async checkpoint(): Promise<string> {
    const latest = await this.log.latest();
    if (!latest) throw new ProblemException(404, 'NO_CHECKPOINT', 'No checkpoint has been issued yet: the registry issues one when it starts');
    return latest.note;
  }

  @Get('key')
  @Header('Cache-Control', 'public, max-age=3600')
  @ApiOperation({ summary: 'The key that signs the checkpoints' })
  @ApiOkResponse({ type: LogKeyDto })
  @ApiProblems(429)
  key(): LogKeyDto {
    return { name: this.log.origin, verifierKey: this.log.verifierKey, publicKeyPem: this.log.publicKeyPem };
  }

  @Get('proofs/inclusion')
  @Header('Cache-Control', 'public, max-age=3600, immutable')
  @ApiOperation({ summary: 'RFC 9162 inclusion proof: the event at leaf `index` is in the tree of `treeSize` events' })
  @ApiOkResponse({ type: InclusionProofDto })
  @ApiProblems(400, 429)
  inclusion(@Query() q: InclusionProofQuery): Promise<InclusionProofDto> {
    return this.log.inclusion(q.index, q.treeSize);
  }

  @Get('proofs/consistency')
  @Header('Cache-Control', 'public, max-age=3600, immutable')
  @ApiOperation({ summary: 'RFC 9162 consistency proof: the tree of `from` events is a prefix of the tree of `to` events' })
  @ApiOkResponse({ type: ConsistencyProofDto })
  @ApiProblems(400, 429)
  consistency(@Query() q: ConsistencyProofQuery): Promise<ConsistencyProofDto> {
    return this.log.consistency(q.from, q.to);
  }
}
