import { Controller, Get, Header, Param, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { TransparencyLog } from '../audit/log/transparency-log.js';
import { Public } from '../auth/auth.decorators.js';
import { isCalendarDate } from '../common/calendar-date.js';
import { PUBLIC_CACHE } from '../common/conditional.js';
import { renderPage } from '../common/html.js';
import { type Lang, langOf } from '../common/i18n/lang.js';
import { PublicThrottlerGuard } from '../common/throttling.js';
import { isUuid } from '../common/validation/validation.js';
import { LICENSE_STATUSES } from '../licenses/lifecycle.js';
import { ReportsService } from '../reports/reports.service.js';
import { ExportsPageQuery, HomePageQuery, LogPageQuery, ManufacturerPageQuery, PageParams, VerifyPageQuery } from './dto/page-queries.js';
import { PublicService } from './public.service.js';
import { ExportsPage } from './views/exports-page.js';
import { HomePage } from './views/home-page.js';
import { LogPage } from './views/log-page.js';
import { ManufacturerPage } from './views/manufacturer-page.js';
import { NotFoundPage } from './views/not-found-page.js';
import type { PageContext } from './views/page-context.js';
import { type Verdict, VerifyPage } from './views/verify-page.js';

/**
 * The public web pages: server-rendered HTML that works without JavaScript, in English and Urdu (`?lang=ur`,
 * right-to-left). They show what the public JSON API returns (the same PublicService).
 */
@ApiExcludeController()
@Public()
@UseGuards(PublicThrottlerGuard)
@Controller()
export class PagesController {
  constructor(
    private readonly register: PublicService,
    private readonly reports: ReportsService,
    private readonly log: TransparencyLog,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', PUBLIC_CACHE)
  async home(@PageParams(HomePageQuery) q: HomePageQuery): Promise<string> {
    const offset = q.offset ?? 0;
    const ctx = this.context('/', q, { q: q.q, status: q.status, offset: offset ? String(offset) : undefined });
    const result = await this.register.manufacturers({ q: q.q, status: q.status, limit: 20, offset });
    return renderPage(HomePage, { ctx, result, statuses: LICENSE_STATUSES });
  }

  @Get('manufacturers/:id')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', PUBLIC_CACHE)
  async manufacturer(@Param('id') id: string, @PageParams(ManufacturerPageQuery) q: ManufacturerPageQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const ctx = this.context(`/manufacturers/${encodeURIComponent(id)}`, q, {});
    const found = isUuid(id) ? await this.register.findManufacturer(id.toLowerCase()) : null;
    return found ? renderPage(ManufacturerPage, { ctx, m: found }) : this.notFound(ctx, reply);
  }

  @Get('verify')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', PUBLIC_CACHE)
  async verify(@PageParams(VerifyPageQuery) q: VerifyPageQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { licenseNumber, on } = q;
    const ctx = this.context('/verify', q, { licenseNumber, on });
    let verdict: Verdict = { kind: 'none' };
    if (on !== undefined && !isCalendarDate(on)) {
      verdict = { kind: 'invalid', field: 'on' };
    } else if (licenseNumber) {
      const check = await this.register.check(licenseNumber, on);
      verdict =
        check.kind === 'found' ? { kind: 'result', result: check.result } : check.kind === 'not-found' ? { kind: 'not-found', licenseNumber } : { kind: 'invalid', field: 'licenseNumber' };
    }
    if (verdict.kind === 'invalid') void reply.status(400);
    return renderPage(VerifyPage, { ctx, verdict });
  }

  @Get('exports')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', PUBLIC_CACHE)
  async exports(@PageParams(ExportsPageQuery) q: ExportsPageQuery): Promise<string> {
    const stacks = ['destination', 'deviceCategory'] as const;
    const period = 'fiscalYear'; // the public sees fiscal years only (see PUBLIC_DIMENSIONS)
    const stack = q.stack ?? 'destination';
    const ctx = this.context('/exports', q, { groupBy: period, stack });
    const report = await this.reports.publicExports({ groupBy: [period, stack] });
    return renderPage(ExportsPage, { ctx, choice: { period, stack }, report, stacks });
  }

  /**
   * What the transparency log proves, with its latest checkpoint. The checkpoint moves on with every audited
   * write, of any area or none (staff accounts), so the page is not cached under the register's data version
   * (public-cache.ts); browsers revalidate it each time (its ETag is its body's).
   */
  @Get('log')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  async transparencyLog(@PageParams(LogPageQuery) q: LogPageQuery): Promise<string> {
    const ctx = this.context('/log', q, {});
    const latest = await this.log.latest();
    const checkpoint = latest && { size: latest.size, rootHash: latest.root.toString('base64'), note: latest.note };
    return renderPage(LogPage, { ctx, checkpoint, verifierKey: this.log.verifierKey });
  }

  private context(path: string, q: { lang?: Lang }, params: Record<string, string | undefined>): PageContext {
    return { lang: langOf(q.lang), path, params };
  }

  private notFound(ctx: PageContext, reply: FastifyReply): string {
    void reply.status(404);
    return renderPage(NotFoundPage, { ctx });
  }
}

