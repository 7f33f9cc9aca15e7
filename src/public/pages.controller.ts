import { Controller, Get, Header, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { isCalendarDate } from '../common/calendar-date.js';
import { PUBLIC_CACHE } from '../common/conditional.js';
import { renderPage } from '../common/html.js';
import { langOf } from '../common/i18n/lang.js';
import { ProblemException } from '../common/problem.js';
import { PublicThrottlerGuard } from '../common/throttling.js';
import { isUuid } from '../common/validation/validation.js';
import { LICENSE_STATUSES, type LicenseStatus } from '../licenses/lifecycle.js';
import { ReportsService } from '../reports/reports.service.js';
import { PublicService } from './public.service.js';
import { ExportsPage } from './views/exports-page.js';
import { HomePage } from './views/home-page.js';
import { ManufacturerPage } from './views/manufacturer-page.js';
import { NotFoundPage } from './views/not-found-page.js';
import type { PageContext } from './views/page-context.js';
import { type Verdict, VerifyPage } from './views/verify-page.js';

/** Content Security Policy of the pages: no script at all, styles only from this site. */
export const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

type PageQuery = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)?.trim() || undefined;

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
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', PAGE_CSP)
  @Header('Cache-Control', PUBLIC_CACHE)
  async home(@Query() q: PageQuery): Promise<string> {
    const status = LICENSE_STATUSES.includes(one(q.status) as LicenseStatus) ? (one(q.status) as LicenseStatus) : undefined;
    const offset = /^\d{1,6}$/.test(one(q.offset) ?? '') ? Number(one(q.offset)) : 0;
    const text = one(q.q)?.slice(0, 200);
    const ctx = this.context('/', q, { q: text, status, offset: offset ? String(offset) : undefined });
    const result = await this.register.manufacturers({ q: text, status, limit: 20, offset });
    return renderPage(HomePage, { ctx, result, statuses: LICENSE_STATUSES });
  }

  @Get('manufacturers/:id')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', PAGE_CSP)
  @Header('Cache-Control', PUBLIC_CACHE)
  async manufacturer(@Param('id') id: string, @Query() q: PageQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const ctx = this.context(`/manufacturers/${encodeURIComponent(id)}`, q, {});
    if (!isUuid(id)) return this.notFound(ctx, reply);
    try {
      return renderPage(ManufacturerPage, { ctx, m: await this.register.manufacturer(id.toLowerCase()) });
    } catch (e) {
      if (e instanceof ProblemException && e.getStatus() === 404) return this.notFound(ctx, reply);
      throw e;
    }
  }

  @Get('verify')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', PAGE_CSP)
  @Header('Cache-Control', PUBLIC_CACHE)
  async verify(@Query() q: PageQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const licenseNumber = one(q.licenseNumber)?.slice(0, 200);
    const on = one(q.on);
    const ctx = this.context('/verify', q, { licenseNumber, on });
    let verdict: Verdict = { kind: 'none' };
    if (on !== undefined && !isCalendarDate(on)) {
      verdict = { kind: 'invalid', field: 'on' };
    } else if (licenseNumber) {
      try {
        verdict = { kind: 'result', result: await this.register.verify(licenseNumber, on) };
      } catch (e) {
        if (!(e instanceof ProblemException)) throw e;
        if (e.getStatus() === 404) verdict = { kind: 'not-found', licenseNumber };
        else verdict = { kind: 'invalid', field: 'licenseNumber' };
      }
    }
    if (verdict.kind === 'invalid') void reply.status(400);
    return renderPage(VerifyPage, { ctx, verdict });
  }

  @Get('exports')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', PAGE_CSP)
  @Header('Cache-Control', PUBLIC_CACHE)
  async exports(@Query() q: PageQuery): Promise<string> {
    const stacks = ['destination', 'deviceCategory'] as const;
    const period = 'fiscalYear'; // the public sees fiscal years only (see PUBLIC_DIMENSIONS)
    const stack = stacks.find((s) => s === one(q.stack)) ?? 'destination';
    const ctx = this.context('/exports', q, { groupBy: period, stack });
    const report = await this.reports.publicExports({ groupBy: [period, stack] });
    return renderPage(ExportsPage, { ctx, choice: { period, stack }, report, stacks });
  }

  private context(path: string, q: PageQuery, params: Record<string, string | undefined>): PageContext {
    return { lang: langOf(one(q.lang)), path, params };
  }

  private notFound(ctx: PageContext, reply: FastifyReply): string {
    void reply.status(404);
    return renderPage(NotFoundPage, { ctx });
  }
}

