import { get } from './api.ts';
import { setHallTimeZone } from './i18n.svelte.ts';
import type { HallInfo } from './types.ts';

/** The hall's public info; also sets the zone that every on-screen time is shown in. */
export async function getHall(): Promise<HallInfo> {
  const hall = await get<HallInfo>('/api/v1/hall');
  setHallTimeZone(hall.timezone);
  return hall;
}
