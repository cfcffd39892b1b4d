import { EVENT_NAMES } from '../../../../../libs/shared/src/events/contracts/event-catalog';
import { EVENT_LABEL, eventLabel } from './auditTypes';

describe('event labels', () => {
  it('names every event of the platform in Chinese, and nothing that no service emits', () => {
    expect(Object.keys(EVENT_LABEL).sort()).toEqual([...EVENT_NAMES].sort());
    for (const label of Object.values(EVENT_LABEL)) expect(label).toMatch(/[\u4e00-\u9fa5]/);
  });

  it('shows an unknown event by its code', () => {
    expect(eventLabel('sharing.grant.revoked')).toBe('授权撤销');
    expect(eventLabel('future.thing.happened')).toBe('future.thing.happened');
  });
});
