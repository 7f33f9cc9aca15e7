import { Inject, Injectable } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { type CalendarDate, todayIn } from './calendar-date.js';

/** The regulator's calendar: "today" in REGISTRY_TIME_ZONE (default Asia/Karachi). */
@Injectable()
export class Clock {
  constructor(@Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig) {}

  today(): CalendarDate {
    return todayIn(this.config.timeZone);
  }

  now(): Date {
    return new Date();
  }
}
