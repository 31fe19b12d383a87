import { describe, expect, it } from 'vitest';
import { idCheckChar, idNumberProblem, isValidIdNumber } from '../../common/gb11643.js';

describe('GB 11643 居民身份证 number check', () => {
  it('computes the check character (the standard’s own example 11010519491231002X)', () => {
    expect(idCheckChar('11010519491231002')).toBe('X');
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('11010519491231002x')).toBe(true);
  });

  it('names what is wrong', () => {
    expect(idNumberProblem('110105194912310021')).toBe('checkChar');
    expect(idNumberProblem('11010519491331002X')).toBe('birthDate'); // month 13
    expect(idNumberProblem('11010519490230002X')).toBe('birthDate'); // 30 February
    expect(idNumberProblem('1101051949123100')).toBe('format');
    expect(idNumberProblem('01010519491231002X')).toBe('format');
  });

  it('rejects a birth date in the future, accepts one born today in Beijing on a UTC machine', () => {
    const now = new Date('2026-11-28T18:00:00Z'); // already 29 November in Beijing
    const born = (ymd: string) => {
      const first17 = `340104${ymd}123`;
      return first17 + idCheckChar(first17);
    };
    expect(idNumberProblem(born('20261129'), now)).toBeUndefined();
    expect(idNumberProblem(born('20261201'), now)).toBe('futureBirth');
    expect(idNumberProblem(born('20300101'), now)).toBe('futureBirth');
    expect(idNumberProblem(born('19800101'), now)).toBeUndefined();
  });
});
