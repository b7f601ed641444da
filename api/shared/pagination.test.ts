import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import { clampPage, toPage } from './pagination.ts';

describe('pagination', () => {
  it('defaults to the first page of 50', () => {
    expect(clampPage()).toEqual({ page: 1, pageSize: 50, offset: 0, limit: 50 });
  });

  it('computes the offset of later pages', () => {
    expect(clampPage({ page: 3, pageSize: 20 })).toMatchObject({ offset: 40, limit: 20 });
  });

  it.each([{ page: 0 }, { page: 1.5 }, { pageSize: 0 }, { pageSize: 201 }])('refuses %o', (request) => {
    expect(() => clampPage(request)).toThrow(DomainError);
  });

  it('wraps items with their total', () => {
    expect(toPage(['a'], 7, { page: 2, pageSize: 1 })).toEqual({ items: ['a'], total: 7, page: 2, pageSize: 1 });
  });
});
