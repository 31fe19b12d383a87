import { describe, expect, it } from 'vitest';
import { isValidIdNumber, maskIdNumber, maskName } from '../../../agent/queue/idnumber.js';

describe('ID data as the kiosk may show it', () => {
  it('masks the name from the card: the first character only', () => {
    expect(maskName('王五')).toBe('王*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName(' 李 ')).toBe('李*');
    expect(maskName('𠮷利')).toBe('𠮷*'); // a surname outside the BMP stays one character
    expect(maskName('')).toBe('');
  });
  it('masks the number and validates with the shared GB 11643 check (lower-case x, spaces)', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
    expect(isValidIdNumber(' 11010519491231002x ')).toBe(true);
  });
});
