import { Inject, Injectable } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { type CalendarDate, todayIn } from './calendar-date.js';

/** The regulator's calendar: "today" in REGISTRY_TIME_ZONE (default Asia/Karachi). */
@Injectable()
export class Clock {
  constructor(@Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig) {}

  private memo = { second: -1, day: '' };

  /** Today's date there; worked out at most once a second (formatting a date in a time zone is not free). */
  today(): CalendarDate {
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.memo.second) this.memo = { second, day: todayIn(this.config.timeZone) };
    return this.memo.day;
  }

  now(): Date {
    return new Date();
  }
}
