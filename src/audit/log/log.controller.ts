import { Controller, Get, Header, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/auth.decorators.js';
import { ApiProblems } from '../../common/openapi.js';
import { ProblemException } from '../../common/problem.js';
import { PublicThrottlerGuard } from '../../common/throttling.js';
import { ConsistencyProofDto, ConsistencyProofQuery, InclusionProofDto, InclusionProofQuery, LogKeyDto } from './log.dto.js';
import { TransparencyLog } from './transparency-log.js';

/** A proof of given sizes never changes: kept an hour, as it is (set on a 200 only: a refusal may not hold later). */
const PROOF_CACHE = 'public, max-age=3600, immutable';

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
  @ApiOperation({ summary: 'RFC 9162 inclusion proof: the event at leaf `index` is in the tree of `treeSize` events' })
  @ApiOkResponse({ type: InclusionProofDto })
  @ApiProblems(400, 429, 503)
  async inclusion(@Query() q: InclusionProofQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<InclusionProofDto> {
    const proof = await this.log.inclusion(q.index, q.treeSize);
    void reply.header('Cache-Control', PROOF_CACHE);
    return proof;
  }

  @Get('proofs/consistency')
  @ApiOperation({ summary: 'RFC 9162 consistency proof: the tree of `from` events is a prefix of the tree of `to` events' })
  @ApiOkResponse({ type: ConsistencyProofDto })
  @ApiProblems(400, 429, 503)
  async consistency(@Query() q: ConsistencyProofQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<ConsistencyProofDto> {
    const proof = await this.log.consistency(q.from, q.to);
    void reply.header('Cache-Control', PROOF_CACHE);
    return proof;
  }
}
