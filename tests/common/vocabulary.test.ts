import { describe, expect, it } from 'vitest';
import { CAMPAIGN_KINDS, CASE_KIND, CHANNEL, CHANNELS, END_REASON, TICKET_STATE, isIn, labelOf } from '../../common/vocabulary.js';
import { CAMPAIGN_KINDS as ENGINE_CAMPAIGN_KINDS } from '../../agent/queue/campaign-types.js';
import { CHANNELS as ENGINE_CHANNELS } from '../../agent/queue/types.js';

describe('vocabulary', () => {
  it('the engine takes its channels and campaign kinds from the tables, in table order', () => {
    expect(ENGINE_CHANNELS).toEqual(['normal', 'senior', 'green', 'appointment']);
    expect(ENGINE_CHANNELS).toBe(CHANNELS);
    expect(ENGINE_CAMPAIGN_KINDS).toEqual(['homeVisit', 'petition', 'selfCheck', 'revisit']);
    expect(CAMPAIGN_KINDS.every((k) => CASE_KIND[k].group === 'campaign')).toBe(true);
  });

  it('labels a value in Chinese first, English on request, and shows an unknown value as it came', () => {
    expect(labelOf(CHANNEL, 'senior')).toBe('爱心通道');
    expect(labelOf(END_REASON, 'dayEnd', 'en')).toBe('Not served before the hall closed');
    expect(labelOf(TICKET_STATE, 'someNewState')).toBe('someNewState');
    expect(isIn(CHANNEL, 'green')).toBe(true);
    expect(isIn(CHANNEL, 'toString')).toBe(false);
    expect(isIn(CHANNEL, 3)).toBe(false);
  });
});
