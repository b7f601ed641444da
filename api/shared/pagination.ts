import { invalid } from './errors.ts';

/** One page of a list: the same shape for every list endpoint. */
export interface Page<T> {
  items: T[];
  /** Number of items matching the filters, over all pages. */
  total: number;
  /** 1-based. */
  page: number;
  pageSize: number;
}

export interface PageRequest {
  page?: number;
  pageSize?: number;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** Validates a page request and gives the SQL offset/limit to apply. */
export function clampPage(request: PageRequest = {}): { page: number; pageSize: number; offset: number; limit: number } {
  const page = request.page ?? 1;
  const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(page) || page < 1) {
    throw invalid('PAGE_INVALID', 'Numéro de page invalide (entier ≥ 1).', 'Invalid page number (integer ≥ 1).', [
      { field: 'page', fr: 'entier ≥ 1', en: 'integer ≥ 1' },
    ]);
  }
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw invalid('PAGE_SIZE_INVALID', `Taille de page invalide (1 à ${MAX_PAGE_SIZE}).`, `Invalid page size (1 to ${MAX_PAGE_SIZE}).`, [
      { field: 'pageSize', fr: `entier de 1 à ${MAX_PAGE_SIZE}`, en: `integer from 1 to ${MAX_PAGE_SIZE}` },
    ]);
  }
  return { page, pageSize, offset: (page - 1) * pageSize, limit: pageSize };
}

export function toPage<T>(items: T[], total: number, request: { page: number; pageSize: number }): Page<T> {
  return { items, total, page: request.page, pageSize: request.pageSize };
}
