import { Module } from '@nestjs/common';
import { LicensesModule } from '../licenses/licenses.module.js';
import { PagesController } from './pages.controller.js';
import { PublicController } from './public.controller.js';
import { PublicService } from './public.service.js';

@Module({
  imports: [LicensesModule],
  controllers: [PublicController, PagesController],
  providers: [PublicService],
})
export class PublicModule {}
