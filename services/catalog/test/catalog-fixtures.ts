import type { CatalogMetadata } from '@gov/shared';

/** A complete, compliant entry for a structured (database) resource; override what a test varies. */
export function compliantMetadata(systemId: string, overrides: Partial<CatalogMetadata> = {}): CatalogMetadata {
  return {
    classification: { classCode: '2', itemCode: '01', categoryCode: '001' },
    name: '市场主体登记信息',
    abstract: '本市各类市场主体的登记信息，包括企业、个体工商户和农民专业合作社。',
    format: { classCode: '3', type: 'PostgreSQL' },
    items: [
      { name: '企业名称', dataType: 'C', length: 200, personal: false },
      { name: '营业执照号', dataType: 'C', length: 30, personal: false },
      { name: '成立日期', dataType: 'D', personal: false },
    ],
    share: { type: 'UNCONDITIONAL', methodClass: 'PLATFORM', methodType: 'API' },
    open: { type: 'UNCONDITIONAL' },
    updateCycle: 'DAILY',
    securityGrade: 'L1',
    domainCode: '01',
    systemId,
    tags: ['营商环境'],
    ...overrides,
  };
}

export class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; type: string }> {
    const res = await fetch(`${this.baseUrl}/api/catalog${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, type: res.headers.get('content-type') ?? '' };
  }

  /** Calls and fails the test with the problem body when the status differs. */
  async expect<T = any>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call<T>(method, path, body);
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }
}
