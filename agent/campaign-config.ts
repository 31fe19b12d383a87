import type { HallConfig } from './config/load.js';
import { HallCalendar } from './queue/calendar.js';
import type { EngineOptions, StaffRef } from './queue/core.js';
import type { Account } from './security/store.js';

/** Hall config → the engine's calendar, staff (with AB岗 pairs) and campaign rules.
 *  Staff come from the accounts table when given (administered on the board; the YAML only seeds it). */
export function campaignOptions(
  config: HallConfig,
  accounts?: { accounts(): Account[] },
): Pick<EngineOptions, 'calendar' | 'staff' | 'campaign' | 'ratingReasons'> {
  const ref = (s: { id: string; name: string; disabled?: boolean }): StaffRef => {
    const backup = config.cases.backupStaff[s.id];
    return { id: s.id, name: s.name, ...(backup === undefined ? {} : { backupStaff: backup }), ...(s.disabled ? { disabled: true } : {}) };
  };
  return {
    calendar: config.calendar ? new HallCalendar(config.calendar, config.hall.timezone) : undefined,
    staff: accounts
      ? () =>
          accounts
            .accounts()
            .filter((a) => a.role === 'staff')
            .map(ref)
      : config.staff.map(ref),
    campaign: {
      callbackSampleRate: config.cases.callbackSamplePercent / 100,
      returnCodeDays: config.cases.returnCodeDays,
      petitionWorkingDays: config.cases.petitionWorkingDays,
      reportCycleEndDay: config.reports.cycleEndDay,
    },
    ratingReasons: config.rating.reasons,
  };
}
