import type { HallConfig } from './config/load.js';
import { HallCalendar } from './queue/calendar.js';
import type { EngineOptions } from './queue/core.js';

/** Hall config → the engine's calendar, staff (with AB岗 pairs) and campaign rules. */
export function campaignOptions(config: HallConfig): Pick<EngineOptions, 'calendar' | 'staff' | 'campaign'> {
  return {
    calendar: config.calendar ? new HallCalendar(config.calendar, config.hall.timezone) : undefined,
    staff: config.staff.map((s) => {
      const backup = config.cases.backupStaff[s.id];
      return backup === undefined ? { id: s.id, name: s.name } : { id: s.id, name: s.name, backupStaff: backup };
    }),
    campaign: {
      callbackSampleRate: config.cases.callbackSamplePercent / 100,
      returnCodeDays: config.cases.returnCodeDays,
      petitionWorkingDays: config.cases.petitionWorkingDays,
      reportCycleEndDay: config.reports.cycleEndDay,
    },
  };
}
